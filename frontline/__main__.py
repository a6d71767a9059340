import sys

from frontline.cli import main

sys.exit(main())
