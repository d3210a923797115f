"""Forms of the service desk pages."""

from careops.servicedesk.forms.surveys import SurveyForm, SurveyMonthForm

__all__ = ["SurveyForm", "SurveyMonthForm"]
