"""Legacy-site crawl into WARC files: the Scrapy project."""
