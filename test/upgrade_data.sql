-- test/upgrade_data.sql: what a user's database holds before an upgrade,
-- made only with what every released version has (test/t_upgrade.sh runs
-- it at the oldest version, then updates the database in place).
--
--   the sample; generated dossiers and a refreshed quarter (2024-Q2); the
--   user's own units (lower-case codes, a district with communes), yearly
--   targets, assigned targets, an indicator of their own with published
--   counts, a note; staged rows, checked and not; and a view of the user's
--   that selects from the extension's views.
\set ON_ERROR_STOP on
SELECT kpi.load_sample() > 0 AS sample_loaded;
\set rows 20000
\ir generate_dossiers.sql
SELECT kpi.refresh('2024-Q2') > 0 AS refreshed;

INSERT INTO kpi.unit (code, name, level, parent_code, sort_order, aliases) VALUES
    ('ban-dan-toc', 'Ban Dân tộc', 'province', NULL, 19, '{"Ban Dân tộc tỉnh"}'),
    ('tx-moi', 'UBND thị xã Mới', 'district', NULL, 12, '{}'),
    ('xa-moi-1', 'UBND xã Mới 1', 'commune', 'tx-moi', 1, '{}'),
    ('xa-moi-2', 'UBND xã Mới 2', 'commune', 'tx-moi', 2, '{}');
INSERT INTO kpi.target (year, indicator, central_target, province_floor, central_source)
VALUES (2025, 'online_dossier', 55, 65, 'Nghị quyết của người dùng');
INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target)
SELECT '2024-Q2', u.level, u.code, 'online_dossier', 70
FROM kpi.unit AS u WHERE u.level = 'province';

-- an indicator of the user's, published only
INSERT INTO kpi.indicator (code, sort_order, name_vi, name_en, numerator_label_vi, numerator_label_en,
                           denominator_label_vi, denominator_label_en, counts, per_received)
VALUES ('hs_dung_han', 8, 'Hồ sơ giải quyết đúng hạn', 'Dossiers resolved on time',
        'HS đúng hạn', 'resolved on time', 'Tổng số HS tiếp nhận', 'dossiers received', 'dossiers', true);
INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator)
VALUES ('2024-Q1', 'province', 'so-tu-phap', 'hs_dung_han', 2800, 2864),
       ('2024-Q2', 'province', 'ban-dan-toc', 'hs_dung_han', 5, 9);
INSERT INTO kpi.note (period, level, unit_code, mark, applies_to, text)
VALUES ('2024-Q2', 'province', 'so-y-te', '(*)', 'digital', 'Ghi chú của người dùng');

INSERT INTO kpi.staging_counts (period, level, unit_code, unit_name, indicator, numerator, denominator, printed_rate)
VALUES ('2024-Q3', 'province', 'so-y-te', 'Sở Y tế', 'online_dossier', '5', '4', '125');
SELECT * FROM kpi.ingest_counts();
INSERT INTO kpi.staging_counts (period, level, unit_code, indicator, numerator, denominator)
VALUES ('2024-Q3', 'province', 'so-y-te', 'digitization', '1', '2');
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('U-1', 'khong-co', '1.000001', '31/02/2024', 'fax');
SELECT * FROM kpi.ingest_dossiers();
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('U-2', 'so-y-te', '1.000002', '2024-07-01', 'online');

CREATE VIEW public.my_online AS
SELECT a.period, a.unit_name, a.online_dossier_pct, r.target, r.met
FROM kpi.appendix_province_online AS a
JOIN kpi.result AS r ON r.period = a.period AND r.level = a.level AND r.row_no = a.row_no
WHERE r.indicator = 'online_dossier';
SELECT count(*) > 0 AS user_view_answers FROM public.my_online;
