-- Quantum HFT — migration 0003: replay groups in sweep results.
--
-- `qhft sweep` replays the tasks of one input together, up to --group-size
-- of them behind one feed and one sanitizer (src/research/sweep.ts). A row's
-- `group_size` says how many tasks shared its replay (1 = alone), and its
-- `wall_ms` is then the task's share of the group's wall time (the group's
-- wall time / group_size); 0 for a task that failed before it replayed.
-- Rows written before 0003 read as 1 (alone).
-- Portable (MariaDB 10.11, MySQL 8, TiDB). Run by hand once, after 0002:
--   mariadb -h127.0.0.1 -uroot mydb < schemas/sql/0003_sweep_group_size.sql

ALTER TABLE sweep_results ADD COLUMN group_size INT NOT NULL DEFAULT 1;
