package io.hourglass.server.mysql;

import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** The schedules table of a shard (used on the shard that holds schedules, see schedule.Schedules). */
final class ScheduleSql {
  private final ShardSql sql;
  private volatile boolean tableReady;

  ScheduleSql(ShardSql sql) {
    this.sql = sql;
  }

  Schedule create(ScheduleSpec spec, long now, long firstFireAtMillis) {
    ensureTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.INSERT_SCHEDULE, Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, spec.queue().value());
        ps.setString(2, spec.cron());
        ps.setString(3, spec.zone());
        if (spec.intervalMillis() == null) {
          ps.setNull(4, Types.BIGINT);
        } else {
          ps.setLong(4, spec.intervalMillis());
        }
        ps.setBytes(5, spec.body());
        ps.setInt(6, spec.priority());
        ps.setInt(7, spec.attemptsAllowed());
        ps.setLong(8, firstFireAtMillis);
        ps.setLong(9, now);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          return new Schedule(keys.getLong(1), spec, firstFireAtMillis, now);
        }
      }
    });
  }

  List<Schedule> list(QueueName queue) {
    ensureTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps =
          c.prepareStatement(queue == null ? MySqlQueries.LIST_SCHEDULES : MySqlQueries.LIST_QUEUE_SCHEDULES)) {
        if (queue != null) {
          ps.setString(1, queue.value());
        }
        return read(ps);
      }
    });
  }

  List<Schedule> due(long nowMillis, int limit) {
    ensureTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.DUE_SCHEDULES)) {
        ps.setLong(1, nowMillis);
        ps.setInt(2, limit);
        return read(ps);
      }
    });
  }

  boolean delete(long id) {
    ensureTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.DELETE_SCHEDULE)) {
        ps.setLong(1, id);
        return ps.executeUpdate() > 0;
      }
    });
  }

  boolean advance(long id, long expectedNextMillis, long newNextMillis) {
    ensureTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.ADVANCE_SCHEDULE)) {
        ps.setLong(1, newNextMillis);
        ps.setLong(2, id);
        ps.setLong(3, expectedNextMillis);
        return ps.executeUpdate() > 0;
      }
    });
  }

  private static List<Schedule> read(PreparedStatement ps) throws SQLException {
    List<Schedule> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long interval = rs.getLong("interval_millis");
        Long intervalMillis = rs.wasNull() ? null : interval;
        ScheduleSpec spec = new ScheduleSpec(QueueName.of(rs.getString("queue")), rs.getString("cron"),
            rs.getString("zone"), intervalMillis, rs.getBytes("body"), rs.getInt("priority"),
            rs.getInt("attempts_allowed"));
        out.add(new Schedule(rs.getLong("id"), spec, rs.getLong("next_fire_at"), rs.getLong("created_at")));
      }
    }
    return out;
  }

  private void ensureTable() {
    sql.ensureSchema();
    if (!tableReady) {
      sql.run(null, c -> {
        try (Statement s = c.createStatement()) {
          s.execute(MySqlQueries.CREATE_SCHEDULES);
        }
        return null;
      });
      tableReady = true;
    }
  }
}
