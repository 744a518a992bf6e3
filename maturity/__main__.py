from maturity.cli import main

raise SystemExit(main())
