"""The monthly cycle: collect, report, committee, publish (calendar from Settings)."""
