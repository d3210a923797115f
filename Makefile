# The two commands of the README.
.PHONY: run test setup lint messages

run:
	scripts/setup.sh run
	.venv/bin/careops up

test:
	scripts/setup.sh test
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy careops

messages:
	.venv/bin/python scripts/i18n.py compile
