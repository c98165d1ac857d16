import sys

from supporttray.cli import main

sys.exit(main())
