from aura_operator.cli import main

raise SystemExit(main())
