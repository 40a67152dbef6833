"""The program that runs inside the sandbox: standard library only, no loopcoach imports.

It reads one payload from standard input (a marshal header, then the list of test inputs),
runs the submission once per test case in a fresh module namespace, and writes one JSON line
per event to the results descriptor. It never sees an expected output: comparing is the
trusted parent's job, so anything the submission does to this process can at worst change
the outputs it reports, never turn a wrong output into a pass.

The parent passes this file's text with `python -c`, so it must stay self-contained.
"""

import _json
import _signal
import builtins
import contextlib
import marshal
import os
import resource
import sys
import time

# The submission may patch builtins or modules; the harness keeps its own references.
_type = type
_isinstance = isinstance
_len = len
_getattr = getattr
_list = list
_dict = dict
_str = str
_int = int
_float = float
_bool = bool
_id = id
_quote = _json.encode_basestring_ascii
_repr = repr
_float_repr = float.__repr__
_int_repr = int.__repr__
_write = os.write
_process_time = time.process_time
_setitimer = _signal.setitimer
_getrusage = resource.getrusage
_exit = os._exit
_builtins_snapshot = dict(builtins.__dict__)
_builtin_exception_names = frozenset(
    name
    for name, value in builtins.__dict__.items()
    if _isinstance(value, _type) and issubclass(value, BaseException)
)

RESULTS_FD = 3
MAX_DEPTH = 64
TYPING_NAMES = ("List", "Optional", "Dict", "Tuple", "Set", "Deque", "Any")


class _TimeUp(BaseException):
    """Raised by the CPU-time alarm; a BaseException so `except Exception` misses it."""


class _BadOutput(Exception):
    """The submission returned something that is not plain data."""


class Node:
    """A linked-list node with a random pointer, handed to `random-list` problems."""

    def __init__(self, x=0, next=None, random=None):
        self.val = x
        self.next = next
        self.random = random


def _encode(value, parts):
    """JSON for plain data, written out here so the harness needs no json import."""
    kind = _type(value)
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is _int:
        parts.append(_int_repr(value))
    elif kind is _float:
        if value != value:
            parts.append("NaN")
        elif value in (_float("inf"), _float("-inf")):
            parts.append("Infinity" if value > 0 else "-Infinity")
        else:
            parts.append(_float_repr(value))
    elif kind is _str:
        parts.append(_quote(value))
    elif kind is _list:
        parts.append("[")
        for position, item in enumerate(value):
            if position:
                parts.append(",")
            _encode(item, parts)
        parts.append("]")
    elif kind is _dict:
        parts.append("{")
        for position, (key, item) in enumerate(value.items()):
            if position:
                parts.append(",")
            parts.append(_quote(key))
            parts.append(":")
            _encode(item, parts)
        parts.append("}")
    else:
        raise _BadOutput("cannot encode a value of type %s" % _safe_type_name(value))


def _emit(record):
    parts = []
    _encode(record, parts)
    parts.append("\n")
    data = "".join(parts).encode("ascii")
    view = memoryview(data)
    while view:
        written = _write(RESULTS_FD, view)
        view = view[written:]


def _plain(value, depth=0):
    """Turn a returned value into JSON data, refusing anything that could pretend."""
    if depth > MAX_DEPTH:
        raise _BadOutput("the returned value is nested too deeply")
    kind = _type(value)
    if value is None or kind is _bool or kind is _str:
        return value
    if kind is _int or kind is _float:
        return value
    if kind is _list or kind is tuple:
        return [_plain(item, depth + 1) for item in value]
    if kind is set or kind is frozenset:
        return [_plain(item, depth + 1) for item in value]
    if kind is _dict:
        result = {}
        for key, item in value.items():
            if _type(key) is not _str:
                raise _BadOutput("a returned dict must have str keys")
            result[key] = _plain(item, depth + 1)
        return result
    raise _BadOutput(
        "returned a value of type %s; return plain values (int, float, str, bool, "
        "None, list, tuple, dict)" % _safe_type_name(value)
    )


def _safe_type_name(value):
    name = _type(value).__name__
    return name if _type(name) is _str and _len(name) < 60 else "object"


def _exception_name(error):
    name = _type(error).__name__
    if name in _builtin_exception_names:
        return name
    # Custom class names are the submission's choice and could smuggle data out.
    return "an exception of the submission's own class"


def _error_message(error):
    try:
        text = _str(error)
    except BaseException:
        text = ""
    if _type(text) is not _str:
        text = ""
    return "%s: %s" % (_type(error).__name__, text[:500])


# --- adapters: plain data in, candidate objects out, and back ----------------------


def _build_random_list(pairs):
    nodes = [Node(value) for value, _ in pairs]
    for index, (_, random_index) in enumerate(pairs):
        if index + 1 < _len(nodes):
            nodes[index].next = nodes[index + 1]
        if random_index is not None:
            nodes[index].random = nodes[random_index]
    return (nodes[0] if nodes else None), nodes


def _read_random_list(head, originals, limit):
    original_ids = {_id(node) for node in originals}
    order = []
    position = {}
    node = head
    while node is not None:
        if _id(node) in position or _len(order) > limit:
            return {"cycle": True, "nodes": [], "shared": False, "foreign": False}
        position[_id(node)] = _len(order)
        order.append(node)
        node = _getattr(node, "next", None)
    shared = any(_id(node) in original_ids for node in order)
    foreign = False
    pairs = []
    for node in order:
        random = _getattr(node, "random", None)
        if random is None:
            random_index = None
        elif _id(random) in position:
            random_index = position[_id(random)]
        else:
            random_index = None
            foreign = True
            shared = shared or _id(random) in original_ids
        pairs.append([_plain(_getattr(node, "val", None)), random_index])
    return {"cycle": False, "nodes": pairs, "shared": shared, "foreign": foreign}


# --- running one test case -----------------------------------------------------------


def _fresh_namespace(header):
    namespace = {"__name__": "solution", "__builtins__": _dict(_builtins_snapshot)}
    if header["adapter"] == "random-list":
        namespace["Node"] = Node
    namespace.update(_typing_names)
    return namespace


_typing_names = {}


def _load_typing_names(source):
    # Solutions written for other sites use `List[int]` without importing it; importing
    # typing costs milliseconds, so only when the source mentions one of these names.
    if any(name in source for name in TYPING_NAMES):
        import typing

        for name in TYPING_NAMES:
            _typing_names[name] = _getattr(typing, name)


def _find_function(namespace, entry):
    function_name = entry.get("function")
    method_name = entry.get("method")
    if function_name and callable(namespace.get(function_name)):
        return namespace[function_name]
    solution = namespace.get("Solution")
    if _isinstance(solution, _type):
        for name in (method_name, function_name):
            if name and callable(_getattr(solution, name, None)):
                return _getattr(solution(), name)
    wanted = " or ".join(
        part
        for part in (
            function_name and "a function %s" % function_name,
            method_name and "class Solution with a method %s" % method_name,
        )
        if part
    )
    raise LookupError("the submission defines no %s" % wanted)


def _run_function(code, header, case):
    namespace = _fresh_namespace(header)
    exec(code, namespace)
    function = _find_function(namespace, header["entry"])
    args = case["args"]
    if header["adapter"] == "random-list":
        head, originals = _build_random_list(args[0])
        result = function(head, *args[1:])
        return _read_random_list(result, originals, _len(originals) + 10), None
    return _plain(function(*args)), None


def _run_design(code, header, case):
    namespace = _fresh_namespace(header)
    exec(code, namespace)
    class_name = header["entry"]["class"]
    cls = namespace.get(class_name)
    if not _isinstance(cls, _type):
        raise LookupError("the submission defines no class %s" % class_name)
    operations = case["operations"]
    instance = cls(*operations[0][1:])
    outputs = [None]
    errors = {}
    for index in range(1, _len(operations)):
        name = operations[index][0]
        try:
            method = _getattr(instance, name)
            outputs.append(_plain(method(*operations[index][1:])))
        except (MemoryError, RecursionError, _BadOutput):
            raise
        except Exception as error:
            outputs.append(None)
            errors[_str(index)] = _exception_name(error)
    return outputs, errors


def _on_alarm(signum, frame):
    raise _TimeUp()


def _run_case(index, code, header, case):
    _emit({"event": "begin", "index": index})
    budget = header["time_ms"] / 1000.0
    record = {"event": "result", "index": index}
    started = _process_time()
    try:
        _signal.signal(_signal.SIGPROF, _on_alarm)
        _setitimer(_signal.ITIMER_PROF, budget)
        if header["kind"] == "design":
            output, errors = _run_design(code, header, case)
        else:
            output, errors = _run_function(code, header, case)
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "ok"
        record["output"] = output
        if errors:
            record["errors"] = errors
    except _TimeUp:
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "time"
    except MemoryError:
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "memory"
    except _BadOutput as error:
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "bad_output"
        record["message"] = _str(error)
    except LookupError as error:
        _setitimer(_signal.ITIMER_PROF, 0)
        if "the submission defines no" in _str(error):
            record["status"] = "no_entry"
        else:
            record["status"] = "error"
            record["exception"] = _exception_name(error)
        record["message"] = _error_message(error)
    except BaseException as error:
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "error"
        record["exception"] = _exception_name(error)
        record["message"] = _error_message(error)
    record["cpu_ms"] = round((_process_time() - started) * 1000, 3)
    record["rss_kb"] = _getrusage(resource.RUSAGE_SELF).ru_maxrss
    _emit(record)


def _read_all(descriptor):
    chunks = []
    while True:
        chunk = os.read(descriptor, 1 << 22)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def main():
    # The payload: an 8-byte header length, the marshalled header, the marshalled inputs.
    payload = _read_all(0)
    header_end = 8 + _int.from_bytes(payload[:8], "little")
    header = marshal.loads(payload[8:header_end])
    global RESULTS_FD
    RESULTS_FD = header["results_fd"]

    # Nothing more comes on standard input: a submission that waits on it sees the end.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.setrecursionlimit(header.get("recursion_limit", 10000))

    try:
        code = compile(header["source"], "solution.py", "exec")
    except (
        SyntaxError,
        ValueError,
        OverflowError,
        MemoryError,
        RecursionError,
    ) as error:
        line = _getattr(error, "lineno", None)
        detail = _getattr(error, "msg", None) or _str(error)
        _emit({"event": "compile_error", "line": line, "message": _str(detail)[:500]})
        _exit(0)

    _load_typing_names(header["source"])
    cases = marshal.loads(memoryview(payload)[header_end:])
    del payload
    _emit({"event": "ready", "count": _len(cases)})
    for index, case in enumerate(cases):
        _run_case(index, code, header, case)
    _emit({"event": "done"})
    _flush_streams()
    _exit(0)


def _flush_streams():
    # os._exit skips buffered prints; the submission may have replaced the streams.
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(BaseException):
            stream.flush()


main()
