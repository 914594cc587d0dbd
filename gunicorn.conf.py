"""gunicorn settings for Loket in production: `gunicorn -c gunicorn.conf.py 'webapp:create_app()'`.

gevent workers hold thousands of idle websockets (lobby TVs, counter panels, phones) on a
few megabytes each. Socket.IO needs every request of one client to reach the same
process, so run one worker per gunicorn process, start several processes (one per core,
each on its own port), put a reverse proxy with sticky sessions (nginx ``ip_hash``) in
front, and set REDIS_URL so that an event emitted by one process reaches the clients of
all of them. See README.md, "Several processes".
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
worker_class = "gevent"
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "10000"))
timeout = 60
graceful_timeout = 20
keepalive = 5
# Flask-SocketIO must use gevent in these workers (`flask run` uses threads).
raw_env = ["SOCKETIO_ASYNC_MODE=gevent"]
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log (it would hold ticket tokens)
errorlog = "-"
