#!/usr/bin/env python3
"""A stand-in for the lensfs control socket that misbehaves on purpose, for fake.sh.

    fake_daemon.py SOCKET MODE

MODE says how every request line is answered:
  silent     never answer (the client must time out)
  garbage    answer a line that is not JSON
  close      close the connection without answering
  wrong-seq  answer {"ok":true} for another seq
  not-found  answer a not_found error with the request's seq
  busy       answer a busy error without a seq (as before reading a request)
  partial    answer half a line, then close
  ok         answer {"ok":true} with the request's seq

Prints "ready" once listening; serves until killed.
"""
import json
import os
import socket
import sys
import threading


def answer(mode, line):
    try:
        seq = json.loads(line).get("seq")
    except ValueError:
        seq = None
    if mode == "garbage":
        return b"hello, this is not lensfs\n"
    if mode == "wrong-seq":
        return json.dumps({"ok": True, "seq": (seq or 0) + 1000}).encode() + b"\n"
    if mode == "not-found":
        return json.dumps({"ok": False, "seq": seq, "error": {
            "code": "not_found", "message": "no container with id 'x'"}}).encode() + b"\n"
    if mode == "busy":
        return json.dumps({"ok": False, "error": {
            "code": "busy", "message": "too many connections"}}).encode() + b"\n"
    if mode == "partial":
        return b'{"ok":tr'
    return json.dumps({"ok": True, "seq": seq}).encode() + b"\n"


def serve(conn, mode):
    with conn:
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if mode == "silent":
                    continue
                if mode == "close":
                    return
                conn.sendall(answer(mode, line))
                if mode == "partial":
                    return


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
