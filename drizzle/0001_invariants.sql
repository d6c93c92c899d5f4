-- Invariants of PRODUCT.md enforced by the database itself, whatever the caller.
CREATE TRIGGER post_versions_immutable BEFORE UPDATE ON post_versions
BEGIN SELECT RAISE(ABORT, 'post versions are immutable'); END;
--> statement-breakpoint
CREATE TRIGGER post_versions_no_delete BEFORE DELETE ON post_versions
BEGIN SELECT RAISE(ABORT, 'post versions are immutable'); END;
--> statement-breakpoint
CREATE TRIGGER decisions_not_by_author BEFORE INSERT ON decisions
WHEN NEW.reviewer_id = (SELECT author_id FROM posts WHERE id = NEW.post_id)
BEGIN SELECT RAISE(ABORT, 'separation of duties: an author cannot decide on their own post'); END;
--> statement-breakpoint
CREATE TRIGGER decisions_version_of_post BEFORE INSERT ON decisions
WHEN NOT EXISTS (SELECT 1 FROM post_versions WHERE id = NEW.version_id AND post_id = NEW.post_id)
BEGIN SELECT RAISE(ABORT, 'decision names a version of another post'); END;
--> statement-breakpoint
CREATE UNIQUE INDEX decisions_one_approval_per_reviewer ON decisions (version_id, reviewer_id) WHERE decision = 'approve';
--> statement-breakpoint
CREATE TRIGGER decisions_immutable BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are immutable'); END;
--> statement-breakpoint
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are immutable'); END;
--> statement-breakpoint
CREATE TRIGGER publications_need_approvals BEFORE INSERT ON publications
WHEN NOT EXISTS (
  SELECT 1 FROM review_tasks t
  JOIN post_versions v ON v.id = t.version_id
  JOIN posts p ON p.id = v.post_id AND p.current_version = v.version
  WHERE t.version_id = NEW.version_id AND v.post_id = NEW.post_id AND t.state = 'done'
    AND (SELECT COUNT(DISTINCT d.reviewer_id) FROM decisions d
         WHERE d.version_id = NEW.version_id AND d.decision = 'approve'
           AND d.reviewer_id <> p.author_id) >= t.required_approvals
)
BEGIN SELECT RAISE(ABORT, 'publication requires the required approvals of this exact, current version'); END;
--> statement-breakpoint
CREATE TRIGGER posts_published_needs_publication BEFORE UPDATE OF status ON posts
WHEN NEW.status = 'published' AND NOT EXISTS (
  SELECT 1 FROM publications pub JOIN post_versions v ON v.id = pub.version_id
  WHERE pub.post_id = NEW.id AND v.version = NEW.current_version
)
BEGIN SELECT RAISE(ABORT, 'a post is published only with a publication record of its current version'); END;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
