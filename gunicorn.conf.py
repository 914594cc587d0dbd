"""gunicorn settings for Loket in production: `gunicorn -c gunicorn.conf.py 'webapp:create_app()'`.

gevent workers hold thousands of idle websockets (lobby TVs, counter panels, phones) on a
few megabytes each. Socket.IO needs every request of one client to reach the same
process, so run one worker per gunicorn process, start several processes (one per core,
each on its own port), put a reverse proxy with sticky sessions (nginx ``ip_hash``) in
front, and set REDIS_URL so that an event emitted by one process reaches the clients of
all of them. See README.md, "Several processes".
"""

import os
import signal

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
worker_class = "gevent"
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "10000"))
timeout = 60
# A graceful stop (SIGTERM, or SIGHUP's worker swap) lets open HTTP requests finish for up to
# this long; Socket.IO connections are cut at once (post_worker_init below), so displays
# reconnect to the next process within seconds instead of waiting out this timeout.
graceful_timeout = 20
keepalive = 5
# Flask-SocketIO must use gevent in these workers (`flask run` uses threads).
raw_env = ["SOCKETIO_ASYNC_MODE=gevent"]
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log (it would hold ticket tokens)
errorlog = "-"
# Several gunicorn processes run side by side (README, "Several processes"): each would take
# over the one control socket in ~/.gunicorn/gunicorn.ctl. Loket does not use gunicornc.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """On SIGTERM, also cut the worker's Socket.IO connections (antrian.events.drop_connections_while_stopping).

    gunicorn's own handler only stops the worker loop; the open websockets would hold the
    worker, and the displays on it, for graceful_timeout.
    """
    import gevent

    from antrian.events import drop_connections_while_stopping

    def handle_exit(signum, frame) -> None:
        worker.alive = False  # what gunicorn's own handler does: finish open requests, then exit
        gevent.spawn(drop_connections_while_stopping)

    signal.signal(signal.SIGTERM, handle_exit)
