from aura_devtools.cli import main

raise SystemExit(main())
