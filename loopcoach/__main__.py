from loopcoach.cli import main

main()
