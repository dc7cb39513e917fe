"""A small TCP proxy between daphne and PostgreSQL that a fault run can cut off.

SIGUSR1 "stops the database": the listening socket is closed (new connections are refused,
as they are when PostgreSQL is down) and every open connection is reset. SIGUSR2 brings it
back on the same port. The machine's PostgreSQL itself is never stopped: other work uses it.

Run: python bench/pgproxy.py --listen 15432 --target 127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time


class Proxy:
    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    def log(self, what: str) -> None:
        print(f"{time.time():.3f} {what}", flush=True)

    async def listen(self) -> None:
        if self.server is not None:
            return
        self.server = await asyncio.start_server(self.accept, "127.0.0.1", self.port,
                                                 reuse_address=True)  # fmt: skip
        self.log(f"up on {self.port}")

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.links):
            transport = writer.transport
            if not transport.is_closing():
                transport.abort()  # RST: the backend vanished mid-conversation
        self.links.clear()
        self.log("cut")

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.server is None:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.links.update((writer, up_writer))
        await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))
        self.links.discard(writer)
        self.links.discard(up_writer)

    async def pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not writer.transport.is_closing():
                writer.close()


async def main(port: int, target: tuple[str, int]) -> None:
    proxy = Proxy(port, target)
    await proxy.listen()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(proxy.cut()))
    loop.add_signal_handler(signal.SIGUSR2, lambda: loop.create_task(proxy.listen()))
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", required=True)
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    try:
        asyncio.run(main(args.listen, (host, int(port))))
    except KeyboardInterrupt:
        sys.exit(0)
