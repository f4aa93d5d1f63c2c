wrk.path = "/health"
