"""gunicorn settings read from the project directory (Procfile, deploy/): limits and logs.

- The request line and header limits are lifted here so that the app answers over-long URLs
  and headers itself (tracker/bounds.py: 414 and 431, as problem documents on the API)
  instead of gunicorn's plain-text replies. nginx (deploy/nginx.conf) still caps headers.
- Access-log lines leave out one-time-link, unsubscribe and calendar tokens (tracker.access_log).
"""

limit_request_line = 0  # unlimited here; tracker.bounds refuses beyond 8,190 characters
limit_request_field_size = 0  # idem for one header (8,190)
logger_class = "tracker.access_log.RedactingLogger"
