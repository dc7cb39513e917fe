"""Send a TCP write at once when nothing is queued before it (as asyncio's transports do).

Twisted's ``FileDescriptor.write`` always buffers and asks the reactor to watch the socket for
writability; the send happens on the next loop turn and the watch is dropped again. Under
daphne's asyncio reactor that is two ``epoll_ctl`` calls and a loop turn per WebSocket frame,
and each of those system calls gives up the GIL, so with the live session's database threads
busy the event loop waits for the GIL again three times per frame. The profile of one daphne
at its limit (docs/benchmarks.md) spent about 44 % of the loop's time there. Here a write on
a connection with an empty buffer calls ``send`` directly; whatever the kernel does not take
(or an error) goes through Twisted's normal buffered path, so order and error handling are
Twisted's own.
"""

from __future__ import annotations

from twisted.internet import tcp

_buffered_write = tcp.Connection.write


def _write(self: tcp.Connection, data: bytes) -> None:
    if (
        type(data) is bytes
        and data
        and self.connected
        and not self.disconnecting
        and not self._writeDisconnected
        and not self._tempDataLen
        and self.offset == len(self.dataBuffer)
    ):
        sent = self.writeSomeData(data)
        if isinstance(sent, int):
            if sent == len(data):
                return
            data = data[sent:]
        # An error: the buffered path's own write attempt meets it again and closes the
        # connection the way Twisted always does.
    _buffered_write(self, data)


def install() -> None:
    tcp.Connection.write = _write  # type: ignore[method-assign]
