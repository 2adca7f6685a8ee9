-- Why each municipality's crawl ended (crawl::CrawlEnd codes: complete,
-- off_topic, budget, not_started); NULL for crawls stored before it existed.
ALTER TABLE municipalities ADD COLUMN crawl_end TEXT;
