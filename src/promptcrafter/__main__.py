from promptcrafter.cli import main

raise SystemExit(main())
