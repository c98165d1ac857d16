"""The frozen build's entry point: the same `main` as the `supporttray` command.

`SupportTray -c CODE ARGS...` runs CODE as `python -c` would: doctor asks Qt its questions in
a child process of `sys.executable` (Qt may abort a whole process), which in a frozen build is
this program, not a Python.
"""

import sys

if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "-c":
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
        sys.exit(0)
    from supporttray.cli import main

    sys.exit(main())
