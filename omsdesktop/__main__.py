from omsdesktop.cli import main

raise SystemExit(main())
