"""The DBA tuning report: one data model, built per section, rendered as HTML, Markdown, JSON.

``build_report(source, options)`` reads a ``ReportSource`` (a live database, or the daemon's
store) and returns a ``Report``; ``pgwatch.report.render`` turns it into the three formats.
"""
