"""The site-search query language (pine-blog-directory-resolved.md §3): `lexer` (text to
tokens), `parser` (tokens to an immutable tree), `ast` (the tree, its limits and canonical
form) and `sql` (the tree to parameterised SQL). Pure.
"""
