"""The program that runs inside the sandbox: standard library only, no loopcoach imports.

It reads a marshal header from standard input, then one test case's input at a time from
the inputs descriptor (the next arrives only after the previous result), runs the
submission once per test case in a fresh module namespace, and writes one JSON line per
event to the results descriptor. It never sees an expected output: comparing is the
trusted parent's job, so anything the submission does to this process can at worst change
the outputs it reports.

Known limit: what only this process can observe (whether a returned linked list shares
nodes with the input, for the deep-copy checker) is measured here, and a submission that
rewrites the harness's own code could misreport it. The harness binds what it runs at
start-up so that simply replacing its module's functions has no effect.

The parent passes this file's text with `python -c`, so it must stay self-contained.
"""

import _json
import _signal
import builtins
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
# About 4,000 decimal digits: the most the judge reads back as a number.
MAX_INT_BITS = 13_000
MAX_DEPTH = 64
TYPING_NAMES = ("List", "Optional", "Dict", "Tuple", "Set", "Deque", "Any")


class _TimeUp(BaseException):
    """Raised by the CPU-time alarm; a BaseException so `except Exception` misses it."""


class _BadOutput(Exception):
    """The submission returned something that is not plain data."""


class _NoEntry(Exception):
    """The submission defines none of the entry points the problem accepts."""


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
    if kind is _int:
        if value.bit_length() > MAX_INT_BITS:
            raise _BadOutput(
                "returned an integer with more than %d bits" % MAX_INT_BITS
            )
        return value
    if kind is _float:
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


def _snapshot_random_list(nodes):
    """The input list's values and links, to tell whether the submission changed it."""
    position = {_id(node): index for index, node in enumerate(nodes)}
    snapshot = []
    for node in nodes:
        following = _getattr(node, "next", None)
        random = _getattr(node, "random", None)
        snapshot.append(
            (
                _id(_getattr(node, "val", None)),
                position.get(_id(following), -1) if following is not None else None,
                position.get(_id(random), -1) if random is not None else None,
            )
        )
    return snapshot


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
    raise _NoEntry()


def _run_function(
    code,
    header,
    case,
    _build=_build_random_list,
    _read=_read_random_list,
    _snapshot=_snapshot_random_list,
    _plain=_plain,
):
    namespace = _fresh_namespace(header)
    exec(code, namespace)
    function = _find_function(namespace, header["entry"])
    args = case["args"]
    if header["adapter"] == "random-list":
        head, originals = _build(args[0])
        before = _snapshot(originals)
        result = function(head, *args[1:])
        read = _read(result, originals, _len(originals) + 10)
        read["original_changed"] = _snapshot(originals) != before
        return read, None
    return _plain(function(*args)), None


def _run_design(code, header, case):
    namespace = _fresh_namespace(header)
    exec(code, namespace)
    class_name = header["entry"]["class"]
    cls = namespace.get(class_name)
    if not _isinstance(cls, _type):
        raise _NoEntry()
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


_timed_out = [False]


def _on_alarm(signum, frame):
    _timed_out[0] = True
    raise _TimeUp()


def _run_case(index, code, header, case):
    _emit({"event": "begin", "index": index})
    budget = header["time_ms"] / 1000.0
    record = {"event": "result", "index": index}
    started = _process_time()
    try:
        _timed_out[0] = False
        _signal.signal(_signal.SIGPROF, _on_alarm)
        # Once the budget is spent the alarm repeats, so a bare `except:` in the
        # submission cannot swallow the time-out and carry on.
        _setitimer(_signal.ITIMER_PROF, budget, 0.005)
        if header["kind"] == "design":
            output, errors = _run_design(code, header, case)
        else:
            output, errors = _run_function(code, header, case)
        _setitimer(_signal.ITIMER_PROF, 0)
        if _timed_out[0]:
            raise _TimeUp()
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
    except _NoEntry:
        _setitimer(_signal.ITIMER_PROF, 0)
        record["status"] = "no_entry"
    except BaseException as error:
        _setitimer(_signal.ITIMER_PROF, 0)
        if _timed_out[0]:
            record["status"] = "time"
        else:
            record["status"] = "error"
            record["exception"] = _exception_name(error)
            record["message"] = _error_message(error)
            record["line"] = _solution_line(error)
    record["cpu_ms"] = round((_process_time() - started) * 1000, 3)
    record["rss_kb"] = _getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Prints reach the judge before the verdict, which may end the run.
    _flush_streams()
    _emit(record)


def _solution_line(error):
    """The line of the submission where an exception was raised, if it was there."""
    line = None
    traceback = _getattr(error, "__traceback__", None)
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "solution.py":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line if _type(line) is _int else None


def _read_exactly(descriptor, size):
    chunks = []
    while size > 0:
        chunk = os.read(descriptor, min(size, 1 << 22))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= _len(chunk)
    return b"".join(chunks)


def _next_case(descriptor):
    # Each test case's input arrives only when the one before has a result: the process
    # never holds inputs of tests still to come, hidden ones least of all.
    size = _read_exactly(descriptor, 8)
    if size is None:
        return None
    data = _read_exactly(descriptor, _int.from_bytes(size, "little"))
    return None if data is None else marshal.loads(data)


def main():
    header = marshal.loads(
        _read_exactly(0, _int.from_bytes(_read_exactly(0, 8), "little"))
    )
    global RESULTS_FD
    RESULTS_FD = header["results_fd"]
    inputs_fd = header["inputs_fd"]

    # Nothing more comes on standard input: a submission that waits on it sees the end.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.setrecursionlimit(header.get("recursion_limit", 10000))
    try:
        sys.set_int_max_str_digits(0)
    except AttributeError:
        pass

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
    _emit({"event": "ready"})
    index = 0
    while True:
        case = _next_case(inputs_fd)
        if case is None:
            break
        _run_case(index, code, header, case)
        del case
        index += 1
    _emit({"event": "done"})
    _flush_streams()
    _exit(0)


def _flush_streams():
    # os._exit skips buffered prints; the submission may have replaced the streams.
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


main()
