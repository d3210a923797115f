"""Monitoring and alerting: checks that collect metrics from what the CMDB holds, the metric
store (embedded or VictoriaMetrics), rules, alerts and the alert → ticket pipeline
(docs/monitoring.md)."""
