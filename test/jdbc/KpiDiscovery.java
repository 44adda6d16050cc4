// test/jdbc/KpiDiscovery.java: what a BI tool (Metabase, Tableau, DBeaver...)
// sees of kpi_ext through the PostgreSQL JDBC driver.
//
// Run by test/t_jdbc.sh as a single-file program:
//   java -cp /usr/share/java/postgresql.jar test/jdbc/KpiDiscovery.java DBNAME
// Connects with PGHOST, PGPORT, PGUSER and PGPASSWORD.  Lists the views of
// schema kpi with DatabaseMetaData.getTables and their columns with
// getColumns, and checks that every view and column has a REMARKS and a
// concrete type:
//   - every column: a type the driver maps to a standard java.sql.Types code
//     (not OTHER, not an array), and numeric only with a precision and scale;
//   - rates and targets (names ending in _pct or _target): numeric(p,s);
//   - counts (names that count dossiers, procedures or services, and
//     numerator/denominator): bigint;
//   - names (name, *_name, name_*): text.
// The functions of schema kpi (getFunctions) need a REMARKS too.  At least
// 12 views must be listed, and row 1 of kpi.appendix_province_online is read
// back with known values (test/t_jdbc.sh has loaded the sample).  Prints
// every violation; exits 1 on any.
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

public class KpiDiscovery {
	// The report views: effective_count, result, appendix_online,
	// appendix_digital, six appendix_<level>_<kind>, summary, data_issue.
	static final int MIN_REPORT_VIEWS = 12;

	static final Pattern RATE_OR_TARGET = Pattern.compile(".*_(pct|target)$");
	static final Pattern COUNT = Pattern.compile(
		"^(numerator|denominator)$|.*(dossiers|procedures|services).*|.*_count$");
	static final Pattern NAME = Pattern.compile("^name$|.*_name$|^name_.*");

	static final List<String> violations = new ArrayList<>();

	static void violation(String s) {
		violations.add(s);
	}

	static boolean empty(String s) {
		return s == null || s.trim().isEmpty();
	}

	public static void main(String[] args) throws Exception {
		String db = args.length > 0 ? args[0] : "postgres";
		String host = System.getenv().getOrDefault("PGHOST", "localhost");
		if (host.isEmpty() || host.startsWith("/"))
			host = "localhost";
		String port = System.getenv().getOrDefault("PGPORT", "5432");
		if (port.isEmpty())
			port = "5432";
		Properties props = new Properties();
		props.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
		String pw = System.getenv("PGPASSWORD");
		if (pw != null)
			props.setProperty("password", pw);
		String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;

		try (Connection conn = DriverManager.getConnection(url, props)) {
			DatabaseMetaData md = conn.getMetaData();
			System.out.println("driver: " + md.getDriverName() + " " + md.getDriverVersion()
				+ "; server: " + md.getDatabaseProductVersion());

			// Views and their columns
			List<String> views = new ArrayList<>();
			try (ResultSet rs = md.getTables(null, "kpi", "%", new String[] {"VIEW"})) {
				while (rs.next()) {
					String name = rs.getString("TABLE_NAME");
					views.add(name);
					if (empty(rs.getString("REMARKS")))
						violation("view kpi." + name + ": no REMARKS (COMMENT ON VIEW)");
				}
			}
			int columns = 0;
			for (String view : views) {
				int n = 0;
				try (ResultSet rs = md.getColumns(null, "kpi", view, "%")) {
					while (rs.next()) {
						n++;
						columns++;
						checkColumn(view, rs);
					}
				}
				if (n == 0)
					violation("view kpi." + view + ": getColumns lists no column");
			}
			System.out.println("views listed by getTables: " + views.size() + ", columns: " + columns);

			// Functions
			int functions = 0;
			try (ResultSet rs = md.getFunctions(null, "kpi", "%")) {
				while (rs.next()) {
					functions++;
					if (empty(rs.getString("REMARKS")))
						violation("function kpi." + rs.getString("FUNCTION_NAME") + " ("
							+ rs.getString("SPECIFIC_NAME") + "): no REMARKS (COMMENT ON FUNCTION)");
				}
			}
			System.out.println("functions listed by getFunctions: " + functions);
			if (functions == 0)
				violation("getFunctions lists no function in schema kpi: is kpi_ext installed?");

			if (views.size() < MIN_REPORT_VIEWS)
				violation("getTables lists " + views.size()
					+ " views in schema kpi, expected at least " + MIN_REPORT_VIEWS);
			if (!views.contains("appendix_province_online"))
				violation("getTables does not list kpi.appendix_province_online");
			else
				checkKnownRow(conn);
		}

		if (!violations.isEmpty()) {
			System.out.println(violations.size() + " violation(s):");
			for (String v : violations)
				System.out.println("  " + v);
			System.exit(1);
		}
		System.out.println("no violation");
	}

	static void checkColumn(String view, ResultSet rs) throws Exception {
		String col = rs.getString("COLUMN_NAME");
		String where = "kpi." + view + "." + col;
		int jdbcType = rs.getInt("DATA_TYPE");
		String typeName = rs.getString("TYPE_NAME");
		int size = rs.getInt("COLUMN_SIZE");
		int digits = rs.getInt("DECIMAL_DIGITS");
		boolean digitsNull = rs.wasNull();
		String type = typeName + " (java.sql.Types " + jdbcType + ", COLUMN_SIZE " + size
			+ ", DECIMAL_DIGITS " + (digitsNull ? "null" : String.valueOf(digits)) + ")";

		if (empty(rs.getString("REMARKS")))
			violation(where + ": no REMARKS (COMMENT ON COLUMN)");

		// The driver reports numeric without a type modifier as precision 0
		// or as its maximum (1000 digits and more), depending on the version.
		boolean numeric = "numeric".equals(typeName);
		boolean numericWithTypmod = numeric && jdbcType == Types.NUMERIC
			&& size > 0 && size <= 1000 && !digitsNull && digits >= 0 && digits <= size;
		if (numeric && size >= 1000)
			numericWithTypmod = false;

		if (jdbcType == Types.OTHER || jdbcType == Types.JAVA_OBJECT || jdbcType == Types.STRUCT
				|| jdbcType == Types.DISTINCT || jdbcType == Types.ARRAY)
			violation(where + ": type " + type + " is not a plain SQL type a BI tool maps;"
				+ " cast it (e.g. to text, bigint or numeric(p,s)) in the view");
		else if (numeric && !numericWithTypmod)
			violation(where + ": numeric without precision and scale: " + type);

		if (RATE_OR_TARGET.matcher(col).matches()) {
			if (!numericWithTypmod)
				violation(where + ": a rate or target must be numeric(p,s), is " + type);
		} else if (COUNT.matcher(col).matches()) {
			if (!"int8".equals(typeName) || jdbcType != Types.BIGINT)
				violation(where + ": a count must be bigint, is " + type);
		} else if (NAME.matcher(col).matches()) {
			if (!"text".equals(typeName))
				violation(where + ": a name must be text, is " + type);
		}
	}

	// Row 1 of the province appendix in the sample (report 2024-Q1):
	// Ban Quản lý Khu kinh tế tỉnh, 72 dossiers received, 59 online, 81.9 %.
	static void checkKnownRow(Connection conn) throws Exception {
		String sql = "SELECT unit_name, dossiers_received, online_dossiers, online_dossier_pct,"
			+ " online_dossier_target FROM kpi.appendix_province_online WHERE period = ? AND row_no = ?";
		try (PreparedStatement ps = conn.prepareStatement(sql)) {
			ps.setString(1, "2024-Q1");
			ps.setInt(2, 1);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					violation("kpi.appendix_province_online has no row 1 for 2024-Q1 after kpi.load_sample()");
					return;
				}
				String name = rs.getString("unit_name");
				Object received = rs.getObject("dossiers_received");
				Object online = rs.getObject("online_dossiers");
				Object pct = rs.getObject("online_dossier_pct");
				Object target = rs.getObject("online_dossier_target");
				System.out.println("row 1: " + name + " | " + received + " | " + online + " | " + pct
					+ " | target " + target);
				if (name == null || !name.startsWith("Ban Quản lý"))
					violation("row 1 unit_name: expected a name starting with \"Ban Quản lý\", got " + name);
				if (!(received instanceof Long) || (Long) received != 72L)
					violation("row 1 dossiers_received: expected Long 72, got " + describe(received));
				if (!(online instanceof Long) || (Long) online != 59L)
					violation("row 1 online_dossiers: expected Long 59, got " + describe(online));
				if (!(pct instanceof BigDecimal) || ((BigDecimal) pct).compareTo(new BigDecimal("81.9")) != 0
						|| ((BigDecimal) pct).scale() != 1)
					violation("row 1 online_dossier_pct: expected BigDecimal 81.9 (scale 1), got " + describe(pct));
				if (!(target instanceof BigDecimal))
					violation("row 1 online_dossier_target: expected a BigDecimal, got " + describe(target));
				if (rs.next())
					violation("kpi.appendix_province_online has more than one row 1 for 2024-Q1");
			}
		}
	}

	static String describe(Object o) {
		return o == null ? "NULL" : o.getClass().getName() + " " + o;
	}
}
