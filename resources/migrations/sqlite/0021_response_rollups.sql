-- Response runs summed per organization, client and UTC hour of the run's start, as
-- message_rollups sums messages: rates, the per-client table and the response-time average and
-- distribution read whole hours here and only the partial hours at a range's ends (half-hour
-- zones) from response_runs. Kept by triggers on response_runs, which only ResponseRuns writes.

CREATE TABLE response_rollups (
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    hour_start BIGINT NOT NULL,
    runs BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    total_ms BIGINT NOT NULL DEFAULT 0,      -- sum of the answered runs' response times
    under_1h BIGINT NOT NULL DEFAULT 0,
    under_4h BIGINT NOT NULL DEFAULT 0,      -- 1 h to 4 h
    under_8h BIGINT NOT NULL DEFAULT 0,      -- 4 h to 8 h
    under_24h BIGINT NOT NULL DEFAULT 0,     -- 8 h to 24 h
    over_24h BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, hour_start, client_id)
) WITHOUT ROWID;

CREATE TRIGGER response_rollups_insert AFTER INSERT ON response_runs BEGIN
    INSERT INTO response_rollups (organization_id, client_id, hour_start, runs, answered, total_ms, under_1h, under_4h, under_8h, under_24h, over_24h)
    VALUES (NEW.organization_id, NEW.client_id, NEW.started_at - NEW.started_at % 3600000, 1, CASE WHEN NEW.response_ms IS NULL THEN 0 ELSE 1 END, COALESCE(NEW.response_ms, 0), CASE WHEN NEW.response_ms < 3600000 THEN 1 ELSE 0 END, CASE WHEN NEW.response_ms >= 3600000 AND NEW.response_ms < 14400000 THEN 1 ELSE 0 END, CASE WHEN NEW.response_ms >= 14400000 AND NEW.response_ms < 28800000 THEN 1 ELSE 0 END, CASE WHEN NEW.response_ms >= 28800000 AND NEW.response_ms < 86400000 THEN 1 ELSE 0 END, CASE WHEN NEW.response_ms >= 86400000 THEN 1 ELSE 0 END)
    ON CONFLICT (organization_id, hour_start, client_id) DO UPDATE SET
        runs = runs + excluded.runs, answered = answered + excluded.answered, total_ms = total_ms + excluded.total_ms,
        under_1h = under_1h + excluded.under_1h, under_4h = under_4h + excluded.under_4h, under_8h = under_8h + excluded.under_8h,
        under_24h = under_24h + excluded.under_24h, over_24h = over_24h + excluded.over_24h;
END;

CREATE TRIGGER response_rollups_delete AFTER DELETE ON response_runs BEGIN
    UPDATE response_rollups SET runs = runs - 1, answered = answered - CASE WHEN OLD.response_ms IS NULL THEN 0 ELSE 1 END, total_ms = total_ms - COALESCE(OLD.response_ms, 0),
        under_1h = under_1h - CASE WHEN OLD.response_ms < 3600000 THEN 1 ELSE 0 END,
        under_4h = under_4h - CASE WHEN OLD.response_ms >= 3600000 AND OLD.response_ms < 14400000 THEN 1 ELSE 0 END,
        under_8h = under_8h - CASE WHEN OLD.response_ms >= 14400000 AND OLD.response_ms < 28800000 THEN 1 ELSE 0 END,
        under_24h = under_24h - CASE WHEN OLD.response_ms >= 28800000 AND OLD.response_ms < 86400000 THEN 1 ELSE 0 END,
        over_24h = over_24h - CASE WHEN OLD.response_ms >= 86400000 THEN 1 ELSE 0 END
    WHERE organization_id = OLD.organization_id AND hour_start = OLD.started_at - OLD.started_at % 3600000 AND client_id = OLD.client_id;
END;

INSERT INTO response_rollups (organization_id, client_id, hour_start, runs, answered, total_ms, under_1h, under_4h, under_8h, under_24h, over_24h)
SELECT organization_id, client_id, started_at - started_at % 3600000, COUNT(*), COUNT(response_ms), COALESCE(SUM(response_ms), 0),
       SUM(CASE WHEN response_ms < 3600000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN response_ms >= 3600000 AND response_ms < 14400000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN response_ms >= 14400000 AND response_ms < 28800000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN response_ms >= 28800000 AND response_ms < 86400000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN response_ms >= 86400000 THEN 1 ELSE 0 END)
FROM response_runs GROUP BY organization_id, client_id, started_at - started_at % 3600000;
