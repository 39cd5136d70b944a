-- The floor of the impact report's bench (bench/impact.py): the same survey figures as
-- trellis.surveys.impact computes, hand-written as three set-based aggregates. Parameters
-- (psycopg named placeholders): system, year. A line of a comment mark and a semicolon ends
-- each of the three statements.
-- What is left to Python: the shares' division and rounding, and the 95 per cent interval's t quantile.

-- 1. School conditions and beliefs: per school and window, each sub-scale's mean of the pooled
-- answers (reverse-coded items reversed), the overall the mean of the sub-scales; then the
-- schools at target and the schools that improved (conditions) or fell (beliefs).
WITH ans AS (
  SELECT ins.measures, a."window", sub.school_id, i.subscale,
         CASE WHEN i.reverse THEN (CASE i.scale WHEN 'likert5' THEN 6 ELSE 5 END) - r.value
              ELSE r.value END AS v
  FROM surveys_response r
  JOIN surveys_submission sub ON sub.id = r.submission_id
  JOIN surveys_administration a ON a.id = sub.administration_id
  JOIN surveys_instrument ins ON ins.id = a.instrument_id
  JOIN surveys_item i ON i.id = r.item_id
  WHERE a.system_id = %(system)s AND a.school_year = %(year)s
    AND ins.measures IN ('conditions', 'beliefs') AND a."window" IN ('boy', 'eoy')
    AND sub.submitted_at IS NOT NULL AND r.value IS NOT NULL
    AND i.scale IN ('likert4', 'likert5', 'agree4') AND sub.school_id IS NOT NULL
), dims AS (
  SELECT measures, "window", school_id, subscale, avg(v) AS m
  FROM ans GROUP BY measures, "window", school_id, subscale
), schools AS (
  SELECT measures, school_id,
         round(avg(m) FILTER (WHERE "window" = 'boy'), 9) AS boy,
         round(avg(m) FILTER (WHERE "window" = 'eoy'), 9) AS eoy
  FROM dims GROUP BY measures, school_id
)
SELECT measures,
       count(boy), count(boy) FILTER (WHERE boy >= 3.0),
       count(eoy), count(eoy) FILTER (WHERE eoy >= 3.0),
       count(*) FILTER (WHERE boy IS NOT NULL AND eoy IS NOT NULL),
       count(*) FILTER (WHERE eoy > boy),
       count(*) FILTER (WHERE eoy < boy)
FROM schools GROUP BY measures ORDER BY measures
-- ;
-- 2. Knowledge: a person's score per subject (percentage of the subject's items answered
-- correctly, over the instruments they answered), post - pre among people with both.
WITH admins AS (
  SELECT a.id, a."window", a.instrument_id
  FROM surveys_administration a JOIN surveys_instrument ins ON ins.id = a.instrument_id
  WHERE a.system_id = %(system)s AND a.school_year = %(year)s AND ins.measures = 'knowledge'
    AND a.anonymous = false AND a."window" IN ('boy', 'eoy')
), items AS (
  SELECT instrument_id, subscale, count(*) AS n FROM surveys_item
  WHERE scale = 'correct01' AND subscale <> '' AND instrument_id IN (SELECT instrument_id FROM admins)
  GROUP BY instrument_id, subscale
), answered AS (
  SELECT ad."window", sub.person_id, ad.instrument_id, i.subscale, sum(r.value) AS correct
  FROM surveys_response r
  JOIN surveys_submission sub ON sub.id = r.submission_id
  JOIN admins ad ON ad.id = sub.administration_id
  JOIN surveys_item i ON i.id = r.item_id
  WHERE sub.submitted_at IS NOT NULL AND sub.person_id IS NOT NULL
    AND i.scale = 'correct01' AND i.subscale <> ''
  GROUP BY ad."window", sub.person_id, ad.instrument_id, i.subscale
), scores AS (
  SELECT a.subscale, a.person_id,
         100.0 * sum(a.correct) FILTER (WHERE a."window" = 'boy')
               / nullif(sum(it.n) FILTER (WHERE a."window" = 'boy'), 0) AS pre,
         100.0 * sum(a.correct) FILTER (WHERE a."window" = 'eoy')
               / nullif(sum(it.n) FILTER (WHERE a."window" = 'eoy'), 0) AS post
  FROM answered a JOIN items it ON it.instrument_id = a.instrument_id AND it.subscale = a.subscale
  GROUP BY a.subscale, a.person_id
)
SELECT subscale, count(post - pre), count(*) FILTER (WHERE post > pre),
       avg(post - pre), stddev_samp(post - pre)
FROM scores GROUP BY subscale ORDER BY subscale
-- ;
-- 3. Satisfaction: favourable answers (the top two points, reversed items reversed first),
-- overall and per item, with the respondents behind each.
WITH ans AS (
  SELECT i.code, r.submission_id,
         CASE WHEN (CASE WHEN i.reverse THEN (CASE i.scale WHEN 'likert5' THEN 6 ELSE 5 END) - r.value
                         ELSE r.value END) >= (CASE i.scale WHEN 'likert5' THEN 4 ELSE 3 END)
              THEN 1 ELSE 0 END AS fav
  FROM surveys_response r
  JOIN surveys_submission sub ON sub.id = r.submission_id
  JOIN surveys_administration a ON a.id = sub.administration_id
  JOIN surveys_instrument ins ON ins.id = a.instrument_id
  JOIN surveys_item i ON i.id = r.item_id
  WHERE a.system_id = %(system)s AND a.school_year = %(year)s AND ins.measures = 'satisfaction'
    AND sub.submitted_at IS NOT NULL AND r.value IS NOT NULL
    AND i.scale IN ('likert4', 'likert5', 'agree4')
)
SELECT coalesce(code, ''), count(*), sum(fav), count(DISTINCT submission_id)
FROM ans GROUP BY GROUPING SETS ((), (code)) ORDER BY 1
