import sys

from hourglass_admin.cli import main

sys.exit(main())
