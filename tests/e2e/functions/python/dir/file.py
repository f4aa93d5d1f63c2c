"""A handler in a subdirectory (no __init__.py): Handler "dir/file.fn"."""


def fn(event, context):
    return {"style": "dir/file.fn", "event": event}
