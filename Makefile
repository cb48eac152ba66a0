# Two commands do everything: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup fonts migrate demo clean lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

setup: $(VENV)/.installed fonts

# The share cards (statements/cards.py) draw Chinese with a CJK font and Latin with DejaVu, from
# Debian's packages; installed here where we may, else said (a Chinese card is then the generic one).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
fonts:
	@test -e $(CJK_FONT) -a -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing the share cards' fonts (fonts-wqy-zenhei, fonts-dejavu-core)"; \
		(apt-get install -y -qq fonts-wqy-zenhei fonts-dejavu-core >/dev/null 2>&1 || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei fonts-dejavu-core >/dev/null)); \
	else \
		echo "Note: share cards of Chinese remarks need a CJK font (apt-get install fonts-wqy-zenhei, or set CARD_FONT_CJK)."; \
	fi

migrate: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_roles

# Fixtures carry fixed primary keys, so loading them again updates rather than duplicates. The
# reference data (countries, organisations, topic rules) comes after: it takes the demo's
# countries and topics over rather than duplicating them.
demo: migrate
	$(BIN)/python manage.py loaddata fixtures/demo.json
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py sync_search_engine

# Links in alert emails name the address the site is served at, unless SITE_URL says otherwise.
run: demo
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The layering first (ARCHITECTURE.md; contracts in pyproject.toml), then the suite.
test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production-like serving on this machine: gunicorn (config/gunicorn.conf.py) with the production
# settings. Needs SECRET_KEY and ALLOWED_HOSTS, usually DATABASE_URL and REDIS_URL; plain HTTP
# on 127.0.0.1 behind no proxy also needs SECURE_SSL_REDIRECT=false. See docs/operations.md.
.PHONY: serve
serve: migrate
	$(BIN)/python manage.py load_reference_data
	DJANGO_ENV=production $(BIN)/python manage.py collectstatic --noinput
	DJANGO_ENV=production $(BIN)/python -m gunicorn -c config/gunicorn.conf.py

# Regenerate requirements.lock from pyproject.toml (needs the package index).
lock: setup
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --extra test -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
