# Deliberately not Python: the runtime reports Runtime.UserCodeSyntaxError.
def handler(event, context)
    return 1
