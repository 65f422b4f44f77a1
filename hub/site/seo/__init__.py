"""What search engines and link previews read (issue 16): `sitemap.xml` and `robots.txt` per
origin (`files`), the sitemap document (`sitemap`), the robots rules (`robots`), and the
JSON-LD and Twitter card data of the pages (`structured`)."""
