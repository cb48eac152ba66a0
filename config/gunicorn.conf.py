"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py` (docs/operations.md).

Each value can be changed from the environment; the defaults suit one app server behind nginx
on the same machine.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"

# Behind a proxy on the same machine: 127.0.0.1:8000. Several servers: one per machine (or port).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Processes for the CPU: searches and facet counts are CPU-bound, in Python and in the database.
# WEB_CONCURRENCY is the name gunicorn and most platforms use.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Four threads per worker: a search waiting in line for its slot (statements/budget.Slots) holds
# a thread, not a worker, and the settings size the slots from workers × threads
# (docs/operations.md, "Budgets"). The English stemmer is per thread (statements/text/analysis.py).
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# gthread even with one thread: its heartbeat comes from the worker's main loop, so a long
# export streaming to a reader is not mistaken for a hung worker.
worker_class = "gthread"
# A gthread worker accepts connections while its threads are busy and queues them behind the
# request in hand: a permalink accepted by a worker streaming an export would wait for the whole
# export. Accepting only what its threads can serve leaves new connections to idle workers.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", threads))

# A worker silent for this long (its main loop, not one request) is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On deploy or restart, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# The proxy keeps connections to us open; a little longer than nginx's own idle reuse.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# Recycle each worker after about this many requests, staggered so they do not all restart at
# once: a bound on memory growth without a deploy. Seldom: a restart costs CPU (Django, the
# warm-up) and stalls the connections it held, and a worker's memory levels off within a few
# thousand requests (docs/operations.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50_000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 5_000))

# Each worker imports Django itself: a worker restart picks up new code, and no database
# connection is ever shared across a fork.
preload_app = False

# Logs to stdout/stderr for the service manager; the access log ends with the request time in
# milliseconds (%(M)s), the figure to watch.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# One switch for gunicorn and Django alike: NUM_PROXIES, the reverse proxies in front of us
# (docs/operations.md). With none, no forwarded header is believed by anyone; with some, gunicorn
# believes X-Forwarded-Proto from the addresses in FORWARDED_ALLOW_IPS (the proxy on this machine
# by default), and Django reads the client's address NUM_PROXIES entries from the right.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", 0))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if NUM_PROXIES else ""


def post_worker_init(worker):
    """Do as the worker starts what every first request would pay: the templates, the search
    engine's index (statements.views.warm_up; a quarter to half a second)."""
    from statements.views import warm_up

    warm_up()

# The heartbeat file on a RAM disk where there is one: a slow disk must not look like a hung worker.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn 25+ opens a control socket at one fixed path per user by default; several servers on
# one machine (the tests, the load test) would fight over it. Nothing here uses it.
control_socket_disable = True
