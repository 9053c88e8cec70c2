"""The book command: table of contents from the run grid, data pages, ``jupyter-book build``.

A command: may import anything in the package.
"""
