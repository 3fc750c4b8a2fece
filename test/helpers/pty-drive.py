"""Runs a command on a real pseudo-terminal and answers its questions.

Usage: pty-drive.py STEPS.json -- command args...
STEPS.json is a list of {"expect": regex, "send": text}: wait until the output since the last
match shows `expect`, then type `send` (as keystrokes, so the terminal echoes it unless the
program turned echo off). Prints one JSON object: the transcript (everything the terminal
showed), the exit code, and the step that timed out, if any.
"""
import json
import os
import pty
import re
import select
import sys
import time

WAIT_S = 30


def main():
    steps = json.load(open(sys.argv[1]))
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, os.environ)
    transcript = b""
    start = 0
    failed = None

    def read(timeout):
        nonlocal transcript
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        transcript += chunk
        return True

    for index, step in enumerate(steps):
        pattern = re.compile(step["expect"].encode())
        deadline = time.monotonic() + WAIT_S
        match = None
        alive = True
        while alive and time.monotonic() < deadline:
            match = pattern.search(transcript, start)
            if match:
                break
            alive = read(0.2)
        match = match or pattern.search(transcript, start)
        if not match:
            failed = {"index": index, "expect": step["expect"]}
            break
        start = match.end()
        time.sleep(0.05)
        for char in step["send"]:
            os.write(fd, char.encode())
    if failed:
        os.kill(pid, 9)
    while read(WAIT_S):
        pass
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"transcript": transcript.decode("utf-8", "replace"), "code": code, "failed": failed}))


main()
