import sys

from akershus_archive.cli import main

sys.exit(main())
