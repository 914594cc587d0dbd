"""gunicorn settings for Loket in production: `gunicorn -c gunicorn.conf.py 'webapp:create_app()'`.

gevent workers hold thousands of idle websockets (lobby TVs, counter panels, phones) on a
few megabytes each. Socket.IO needs every request of one client to reach the same
process, so run one worker per gunicorn process, start several processes (one per core,
each on its own port), put a reverse proxy with sticky sessions (nginx ``ip_hash``) in
front, and set REDIS_URL so that an event emitted by one process reaches the clients of
all of them. See README.md, "Several processes".
"""

import gc
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


# The garbage collector of a worker holding thousands of websockets. Each connection keeps a few
# hundred objects alive for hours, and a full collection walks every one: 400 to 600 ms with 2,500
# connections (bench/bench_realtime.py, mixed phase, on the 2-core build machine), during which no
# call reaches any screen. CPython starts one when enough objects have outlived two younger
# collections, and a queue change makes thousands of short-lived ones (every open ticket's facts):
# with the default first threshold (700) a young collection runs in the middle of building them, so
# they outlive it and pile up, and a full collection came every 20 s. Collecting the young
# generation every 50,000 allocations instead lets them die first (p99 of a call to the lobby's
# displays with 5,000 phones: 1.3 times the floor's instead of 6.6). Reference cycles still go within
# seconds; the memory this holds back is a few megabytes.
GC_THRESHOLDS = (50_000, 20, 10)


def post_worker_init(worker) -> None:
    """Tune the worker's garbage collector (GC_THRESHOLDS), and on SIGTERM also cut its Socket.IO connections
    (antrian.events.drop_connections_while_stopping).

    gunicorn's own handler only stops the worker loop; the open websockets would hold the
    worker, and the displays on it, for graceful_timeout.
    """
    gc.collect()  # the start's garbage first: a frozen cycle is never freed
    gc.freeze()  # what the start made (modules, the app, its templates) lives as long as the worker: never walk it
    gc.set_threshold(*GC_THRESHOLDS)

    import gevent

    from antrian.events import drop_connections_while_stopping

    def handle_exit(signum, frame) -> None:
        worker.alive = False  # what gunicorn's own handler does: finish open requests, then exit
        gevent.spawn(drop_connections_while_stopping)

    signal.signal(signal.SIGTERM, handle_exit)
