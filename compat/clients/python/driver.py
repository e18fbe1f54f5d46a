"""python-socketio (Debian's python3-socketio) driven by a test, one JSON command per line on stdin.

Each command is {"id", "op", ...}; each answer one line on stdout, {"id", "result"} or {"id", "error"}. Bytes
travel as {"$bytes": "<base64>"} both ways, so that binary arguments survive the JSON. Operations:

  connect   {url, transports, auth, namespaces, reconnection}  -> {"sid", "transport"}
  call      {event, args, namespace, timeout}                   -> the ack's arguments (a list)
  emit      {event, args, namespace}                            -> null
  next      {event, namespace, timeout}                         -> the arguments of the next such event received
  clear     {event, namespace}                                  -> null
  state     {}                                                  -> {"sid", "transport"} now
  connected {namespace, timeout}                                -> {"sid", "transport"} once (re)connected
  disconnected {timeout}                                        -> null once the client saw its connection end
  disconnect {}                                                 -> null (the client leaves cleanly)

The process exits when stdin ends.
"""
import base64
import json
import os
import queue
import sys
import threading

import socketio

TIMEOUT = 5


def to_wire(value):
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    return value


def from_wire(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {key: from_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_wire(item) for item in value]
    return value


def drain(pending):
    while not pending.empty():
        pending.get_nowait()


def as_args(result):
    """python-socketio returns one ack argument bare and several as a tuple; the test always gets a list."""
    if result is None:
        return []
    if isinstance(result, tuple):
        return list(result)
    return [result]


class Driver:
    def __init__(self):
        self.client = None
        self.events = {}
        self.events_lock = threading.Lock()
        self.connects = queue.Queue()
        self.disconnects = queue.Queue()

    def received(self, namespace, event):
        with self.events_lock:
            return self.events.setdefault((namespace, event), queue.Queue())

    def op_connect(self, url, transports=None, auth=None, namespaces=None, reconnection=False):
        namespaces = namespaces or ["/"]
        debug = bool(os.environ.get("DRIVER_DEBUG"))
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.1, logger=debug, engineio_logger=debug,
                                      reconnection_delay_max=0.3, randomization_factor=0)
        for namespace in namespaces:
            self.listen(namespace)
        self.client.connect(url, auth=auth, transports=transports, namespaces=namespaces, wait_timeout=TIMEOUT)
        # connect returns once every namespace is in: those first connections are not reconnections.
        drain(self.connects)
        return self.state("/")

    def listen(self, namespace):
        def on_any(event, *args):
            self.received(namespace, event).put(list(args))

        self.client.on("*", on_any, namespace=namespace)
        self.client.on("connect", lambda: self.connects.put(namespace), namespace=namespace)
        self.client.on("disconnect", lambda: self.disconnects.put(namespace), namespace=namespace)

    def state(self, namespace):
        return {"sid": self.client.get_sid(namespace), "transport": self.client.transport()}

    def op_state(self):
        return self.state("/")

    def op_call(self, event, args=None, namespace="/", timeout=TIMEOUT):
        return as_args(self.client.call(event, tuple(to_wire(args or [])), namespace=namespace, timeout=timeout))

    def op_emit(self, event, args=None, namespace="/"):
        self.client.emit(event, tuple(to_wire(args or [])), namespace=namespace)

    def op_next(self, event, namespace="/", timeout=TIMEOUT):
        try:
            return self.received(namespace, event).get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no '%s' on %s within %s s" % (event, namespace, timeout))

    def op_clear(self, event, namespace="/"):
        drain(self.received(namespace, event))

    def op_connected(self, namespace="/", timeout=TIMEOUT):
        while True:
            try:
                if self.connects.get(timeout=timeout) == namespace:
                    return self.state(namespace)
            except queue.Empty:
                raise AssertionError("not connected to %s within %s s" % (namespace, timeout))

    def op_disconnected(self, timeout=TIMEOUT):
        try:
            self.disconnects.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no disconnection within %s s" % timeout)

    def op_disconnect(self):
        self.client.disconnect()


def main():
    driver = Driver()
    out = threading.Lock()
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        answer = {"id": command.pop("id")}
        operation = getattr(driver, "op_" + command.pop("op"))
        try:
            answer["result"] = from_wire(operation(**command))
        except Exception as error:  # the test sees every failure as an answer, not as a dead process
            answer["error"] = "%s: %s" % (type(error).__name__, error)
        with out:
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    if driver.client is not None:
        driver.client.disconnect()


if __name__ == "__main__":
    main()
