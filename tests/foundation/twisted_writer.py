"""Run by test_eager_writes.py in its own process (a Twisted reactor cannot be restarted):
a TCP server on the asyncio reactor, as daphne runs it, with the eager write installed. On a
connection it writes a small frame, records whether Twisted had to buffer it, then writes
more than the kernel takes at once and a last small frame, and closes. Prints its port, then
one JSON line of what it saw."""

from __future__ import annotations

import asyncio
import json
import sys

from twisted.internet import asyncioreactor

asyncioreactor.install(asyncio.new_event_loop())

from twisted.internet import protocol, reactor  # noqa: E402

from config import eager_writes  # noqa: E402

if sys.argv[1:] == ["install"]:
    eager_writes.install()

BIG = bytes(range(256)) * (16 * 1024)  # 4 MiB: far beyond one send


class Writer(protocol.Protocol):
    def connectionMade(self) -> None:  # noqa: N802 - Twisted's name
        transport = self.transport
        transport.write(b"first;")
        seen = {
            "buffered_after_small": len(transport._tempDataBuffer) + len(transport.dataBuffer),
            "watching_after_small": transport in reactor.getWriters(),
        }
        transport.write(BIG)
        seen["buffered_after_big"] = (
            transport._tempDataLen + len(transport.dataBuffer) - transport.offset
        )
        transport.write(b";last")
        transport.loseConnection()  # once everything queued is sent
        print(json.dumps(seen), flush=True)

    def connectionLost(self, reason: object = None) -> None:  # noqa: N802
        if reactor.running:
            reactor.stop()


factory = protocol.Factory.forProtocol(Writer)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
