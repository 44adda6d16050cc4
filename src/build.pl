#!/usr/bin/perl
# src/build.pl: builds kpi_ext's SQL scripts and the C header of the flags
# from their sources (docs/architecture.md).
#
#   perl src/build.pl install PART.sql...   the install script, on stdout:
#                                           the parts joined, directives expanded
#   perl src/build.pl upgrade UPGRADE.sql   an upgrade script, on stdout
#   perl src/build.pl flags                 src/flags.h, on stdout
#
# Directives, each alone on a line of a part (leading blanks allowed):
#   -- @catalogue KIND (key, ...)   the records of KIND in src/catalogue.txt as
#                                   rows of a VALUES list: one parenthesised
#                                   row of text literals per record, a key the
#                                   record lacks or leaves empty is NULL
#   -- @csv FILE (column, ...)      the rows of data/sample/FILE likewise; the
#                                   file's header must be exactly the columns
#   -- @appendix_views              the appendix views and their comments
#   -- @name NAME                   names the statement that follows, for
#                                   @objects (a DO block, say)
# and, in an upgrade script only:
#   -- @replace PART                every CREATE FUNCTION, VIEW, AGGREGATE and
#                                   TRIGGER of the part as CREATE OR REPLACE,
#                                   and every COMMENT of the part
#   -- @objects PART NAME...        the part's statements that create, fill,
#                                   grant, comment on or register
#                                   (pg_extension_config_dump) each named
#                                   object, or that @name names, as written
#   -- @rows PART TABLE             the part's INSERT statements into TABLE
# Anything else that looks like a directive is an error: the build fails on
# a missing file, an unknown key, a header that does not match.
use strict;
use warnings;
use utf8;
use File::Basename qw(dirname);
use File::Spec;

binmode STDOUT, ':encoding(UTF-8)';
binmode STDERR, ':encoding(UTF-8)';

my $root = File::Spec->rel2abs(dirname(dirname(__FILE__)));
my $catalogue_file = "$root/src/catalogue.txt";
my $sample_dir = "$root/data/sample";

sub fail { die "src/build.pl: @_\n"; }

sub slurp {
	my ($file) = @_;
	open(my $fh, '<:encoding(UTF-8)', $file) or fail("cannot read $file: $!");
	local $/;
	my $text = <$fh>;
	close $fh;
	return $text;
}

# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------

my %KEYS = (
	flag => [qw(bit requires name_vi name_en)],
	level => [qw(position name_vi name_en title_vi note_vi two_level_note_vi)],
	table => [qw(position comment_vi comment_en)],
	indicator => [qw(sort_order name_vi name_en numerator_label_vi numerator_label_en
				  denominator_label_vi denominator_label_en counts service basis
				  denominator numerator table denominator_column numerator_column
				  summary_item summary_order summary_title_vi)],
	group => [qw(position name_vi name_en max_score)],
	metric => [qw(group position name_vi name_en max_score full_at zero_denominator rule
			   arithmetic counts basis denominator numerator numerator_field denominator_field)],
);

# the portal's codes: metrics in upper case (ORIGINAL_RESULT_AVAILABLE),
# groups with dashes (dossier-digitized)
my %CODE = (metric => qr/^[A-Z][A-Z0-9_]*$/, group => qr/^[a-z][a-z0-9-]*$/);

my @records;	# in file order: { kind, code, line, key => value }

sub read_catalogue {
	my $n = 0;
	my $rec;
	for my $line (split /\n/, slurp($catalogue_file), -1) {
		$n++;
		next if $line =~ /^#/;
		if ($line =~ /^\s*$/) {
			undef $rec;
			next;
		}
		my ($key, $value) = $line =~ /^([a-z_]+):[ \t]*(.*?)\s*$/
			or fail("src/catalogue.txt:$n: not a \"key: value\" line");
		if (!$rec) {
			$KEYS{$key} or fail("src/catalogue.txt:$n: unknown kind of record \"$key\"");
			$value =~ ($CODE{$key} // qr/^[a-z][a-z0-9_]*$/) or fail("src/catalogue.txt:$n: bad code \"$value\"");
			grep { $_->{kind} eq $key && $_->{code} eq $value } @records
				and fail("src/catalogue.txt:$n: $key \"$value\" is defined twice");
			$rec = { kind => $key, code => $value, line => $n };
			push @records, $rec;
			next;
		}
		grep { $_ eq $key } @{ $KEYS{ $rec->{kind} } }
			or fail("src/catalogue.txt:$n: a record of kind $rec->{kind} has no key \"$key\"");
		exists $rec->{$key} and fail("src/catalogue.txt:$n: \"$key\" given twice");
		$rec->{$key} = $value;
	}
	check_catalogue();
}

sub of_kind {
	my ($kind) = @_;
	$KEYS{$kind} or fail("unknown kind of catalogue record \"$kind\"");
	return grep { $_->{kind} eq $kind } @records;
}

sub find {
	my ($kind, $code) = @_;
	my ($r) = grep { $_->{code} eq $code } of_kind($kind);
	return $r;
}

# What the generated SQL and C rely on; the tables' constraints check the
# rest when the rows are inserted.
sub check_catalogue {
	my %bit;
	for my $f (of_kind('flag')) {
		defined $f->{bit} && $f->{bit} =~ /^[0-9]$/ && $f->{bit} < 8
			or fail("flag $f->{code}: bit must be 0 to 7 (procedure flags are one byte)");
		$bit{ $f->{bit} }++ and fail("flag $f->{code}: bit $f->{bit} is used twice");
	}
	for my $f (of_kind('flag')) {
		for my $r (split ' ', $f->{requires} // '') {
			find(flag => $r) or fail("flag $f->{code} requires an unknown flag \"$r\"");
		}
	}
	for my $m (of_kind('metric')) {
		find(group => $m->{group} // '') or fail("metric $m->{code}: unknown group \"" . ($m->{group} // '') . '"');
		for my $k (qw(denominator numerator)) {
			for my $f (split ' ', $m->{$k} // '') {
				find(flag => $f) or fail("metric $m->{code}: unknown flag \"$f\" in $k");
			}
		}
	}
	for my $i (of_kind('indicator')) {
		for my $k (qw(denominator numerator)) {
			for my $f (split ' ', $i->{$k} // '') {
				find(flag => $f) or fail("indicator $i->{code}: unknown flag \"$f\" in $k");
			}
		}
		next unless defined $i->{table} && $i->{table} ne '';
		find(table => $i->{table}) or fail("indicator $i->{code}: unknown table \"$i->{table}\"");
		for my $k (qw(denominator_column numerator_column)) {
			defined $i->{$k} && $i->{$k} =~ /^[a-z][a-z0-9_]*$/
				or fail("indicator $i->{code}: an indicator in a table needs a $k");
		}
	}
}

# ---------------------------------------------------------------------------
# SQL text
# ---------------------------------------------------------------------------

sub literal {
	my ($v) = @_;
	return 'NULL' unless defined $v && $v ne '';
	$v =~ s/'/''/g;
	return "'$v'";
}

sub values_rows {
	my ($indent, $rows) = @_;
	@$rows or fail('a VALUES list would be empty');
	return join(",\n", map { $indent . '(' . join(', ', map { literal($_) } @$_) . ')' } @$rows) . "\n";
}

sub parse_columns {
	my ($list, $where) = @_;
	$list =~ /^\(\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\)$/
		or fail("$where: expected a column list such as (code, name)");
	return split /\s*,\s*/, $1;
}

sub catalogue_values {
	my ($indent, $kind, $list, $where) = @_;
	my @keys = parse_columns($list, $where);
	my %known = map { $_ => 1 } 'code', @{ $KEYS{$kind} // fail("$where: unknown kind \"$kind\"") };
	$known{$_} or fail("$where: a record of kind $kind has no key \"$_\"") for @keys;
	my @rows = map { my $r = $_; [ map { $r->{$_} } @keys ] } of_kind($kind);
	return values_rows($indent, \@rows);
}

# A CSV file as RFC 4180 has it: fields separated by commas, quoted with "
# when they hold a comma, a quote ("") or a line break.
sub read_csv {
	my ($file) = @_;
	my $text = slurp($file);
	$text =~ s/\r\n/\n/g;
	my (@rows, @row);
	my $field = '';
	my $pos = 0;
	my $len = length $text;
	while ($pos < $len) {
		my $c = substr($text, $pos, 1);
		if ($c eq '"' && $field eq '') {
			my $end = $pos + 1;
			my $value = '';
			while (1) {
				my $q = index($text, '"', $end);
				$q >= 0 or fail("$file: unterminated quoted field");
				$value .= substr($text, $end, $q - $end);
				if (substr($text, $q + 1, 1) eq '"') {
					$value .= '"';
					$end = $q + 2;
					next;
				}
				$pos = $q + 1;
				last;
			}
			$field = $value;
			my $next = substr($text, $pos, 1);
			$next eq ',' || $next eq "\n" || $pos >= $len or fail("$file: text after a quoted field");
			next;
		}
		if ($c eq ',') {
			push @row, $field;
			$field = '';
		} elsif ($c eq "\n") {
			push @row, $field;
			push @rows, [@row];
			@row = ();
			$field = '';
		} else {
			$field .= $c;
		}
		$pos++;
	}
	if ($field ne '' || @row) {
		push @row, $field;
		push @rows, [@row];
	}
	return @rows;
}

sub csv_values {
	my ($indent, $file, $list, $where) = @_;
	my @columns = parse_columns($list, $where);
	my ($header, @rows) = read_csv("$sample_dir/$file");
	"@$header" eq "@columns"
		or fail("$where: data/sample/$file has the columns (@{[join ', ', @$header]}), not (@{[join ', ', @columns]})");
	for my $i (0 .. $#rows) {
		@{ $rows[$i] } == @columns
			or fail("$where: data/sample/$file line @{[$i + 2]} has @{[scalar @{ $rows[$i] }]} fields, not @{[scalar @columns]}");
	}
	return values_rows($indent, \@rows);
}

# The appendix views: per table, one view for every level and one per level.
sub appendix_views {
	my $sql = '';
	my @levels = sort { $a->{position} <=> $b->{position} } of_kind('level');
	for my $t (sort { $a->{position} <=> $b->{position} } of_kind('table')) {
		my @ind = sort { $a->{sort_order} <=> $b->{sort_order} }
			grep { ($_->{table} // '') eq $t->{code} } of_kind('indicator');
		@ind or fail("table $t->{code} has no indicator");
		my @cols;	# [name, expression, type, comment]
		push @cols,
			['dossiers_received',
			 'pg_catalog.max(r.dossiers_received)',
			 'bigint', 'Tổng số hồ sơ tiếp nhận / Dossiers received'];
		for my $i (@ind) {
			my $c = $i->{code};
			my $f = "FILTER (WHERE r.indicator = '$c')";
			push @cols, ["${c}_target", "pg_catalog.max(r.target) $f", 'numeric(5,1)',
						 "$i->{name_vi}: chỉ tiêu được giao (%) / $i->{name_en}: assigned target (percent)"];
			push @cols, [$i->{denominator_column}, "pg_catalog.max(r.denominator) $f", 'bigint',
						 "$i->{denominator_label_vi} / $i->{name_en}: $i->{denominator_label_en}"]
				unless $i->{denominator_column} eq 'dossiers_received';
			push @cols, [$i->{numerator_column}, "pg_catalog.max(r.numerator) $f", 'bigint',
						 "$i->{numerator_label_vi} (kết quả) / $i->{name_en}: $i->{numerator_label_en} (result)"];
			push @cols, ["${c}_pct", "pg_catalog.max(r.pct) $f", 'numeric(5,1)',
						 "$i->{name_vi}: tỷ lệ (%) / $i->{name_en}: rate (percent)"];
		}
		my %seen;
		$seen{ $_->[0] }++ and fail("table $t->{code}: two columns named $_->[0]") for @cols;
		my $view = "kpi.appendix_$t->{code}";
		$sql .= "CREATE VIEW $view AS\nSELECT r.period,\n       r.level,\n       r.row_no,\n       r.unit_name,\n"
			. join(",\n", map { "       ($_->[1])::$_->[2] AS $_->[0]" } @cols) . "\n"
			. "FROM kpi.result AS r\n"
			. "JOIN kpi.level AS l ON l.code = r.level\n"
			. "GROUP BY r.period, l.position, r.level, r.row_no, r.unit_code, r.unit_name\n"
			. "ORDER BY r.period, l.position, r.row_no;\n\n";
		my $names_vi = join(', ', map { $_->{name_vi} } @ind);
		my $names_en = join(', ', map { $_->{name_en} } @ind);
		my @comments = (
			['period', 'Kỳ báo cáo / Period label'],
			['level', 'Cấp: ' . join(', ', map { "$_->{code} (Phụ lục $_->{position})" } @levels)
				. ' / Level: ' . join(', ', map { "$_->{code} (appendix $_->{position})" } @levels)],
			['row_no', 'Số thứ tự (TT) như trong báo cáo / Row number (TT) as in the report'],
			['unit_name', 'Cơ quan, đơn vị; ở cấp xã có thể là huyện, số liệu là tổng các xã của huyện / Unit; at commune level possibly a district, its figures summed over its communes'],
			map { [$_->[0], $_->[3]] } @cols);
		$sql .= "COMMENT ON VIEW $view IS\n    "
			. literal("Bảng $t->{position} của các phụ lục: $t->{comment_vi}; NULL nơi báo cáo ghi '-' / "
					  . "Appendix table $t->{position} at every level: $t->{comment_en}; NULL where the report prints '-'")
			. ";\n";
		for my $lv (@levels) {
			my $v = "kpi.appendix_$lv->{code}_$t->{code}";
			$sql .= "\nCREATE VIEW $v AS\nSELECT * FROM $view AS a WHERE a.level = '$lv->{code}' ORDER BY a.period, a.row_no;\n"
				. "COMMENT ON VIEW $v IS\n    "
				. literal("Phụ lục $lv->{position}, bảng $t->{position} ($lv->{name_vi}): $t->{comment_vi} / "
						  . "Appendix $lv->{position}, table $t->{position} ($lv->{name_en}): $t->{comment_en}")
				. ";\n";
		}
		for my $v ($view, map { "kpi.appendix_$_->{code}_$t->{code}" } @levels) {
			$sql .= "COMMENT ON COLUMN $v.$_->[0] IS " . literal($_->[1]) . ";\n" for @comments;
		}
		$sql .= "\n";
	}
	return $sql;
}

# Expands the directives of one part.
sub expand {
	my ($text, $file) = @_;
	my $out = '';
	my $n = 0;
	for my $line (split /^/, $text) {
		$n++;
		my $where = "$file:$n";
		if ($line =~ /^(\s*)--\s*\@(\S+)\s*(.*?)\s*$/) {
			my ($indent, $what, $args) = ($1, $2, $3);
			if ($what eq 'catalogue') {
				my ($kind, $list) = $args =~ /^([a-z_]+)\s+(\(.*\))$/ or fail("$where: \@catalogue KIND (key, ...)");
				$out .= catalogue_values($indent, $kind, $list, $where);
			} elsif ($what eq 'csv') {
				my ($f, $list) = $args =~ /^(\S+)\s+(\(.*\))$/ or fail("$where: \@csv FILE (column, ...)");
				$out .= csv_values($indent, $f, $list, $where);
			} elsif ($what eq 'appendix_views') {
				$out .= appendix_views();
			} elsif ($what eq 'name') {
				$args =~ /^[a-z][a-z0-9_]*$/ or fail("$where: \@name NAME");
				$out .= "${indent}-- (statement $args)\n";
			} else {
				fail("$where: unknown directive \@$what");
			}
			next;
		}
		$out .= $line;
	}
	return $out;
}

# ---------------------------------------------------------------------------
# Statements, for upgrade scripts
# ---------------------------------------------------------------------------

# Splits SQL into statements, each with the comment lines just above it:
# quotes, dollar quotes and comments are skipped over when looking for the
# semicolon that ends a statement; a psql meta-command is its own statement.
sub statements {
	my ($sql, $file) = @_;
	my @out;
	my $start = 0;
	my $pos = 0;
	my $len = length $sql;
	while ($pos < $len) {
		my $rest = substr($sql, $pos, 2);
		my $c = substr($sql, $pos, 1);
		if ($rest eq '--') {
			my $e = index($sql, "\n", $pos);
			$pos = $e < 0 ? $len : $e + 1;
		} elsif ($rest eq '/*') {
			my $e = index($sql, '*/', $pos + 2);
			$e >= 0 or fail("$file: unterminated comment");
			$pos = $e + 2;
		} elsif ($c eq "'") {
			my $e = $pos + 1;
			my $escapes = $pos > 0 && substr($sql, $pos - 1, 1) =~ /[eE]/;
			while (1) {
				$e < $len or fail("$file: unterminated string");
				my $d = substr($sql, $e, 1);
				if ($escapes && $d eq '\\') { $e += 2; next; }
				if ($d eq "'") {
					if (substr($sql, $e + 1, 1) eq "'") { $e += 2; next; }
					last;
				}
				$e++;
			}
			$pos = $e + 1;
		} elsif ($c eq '"') {
			my $e = index($sql, '"', $pos + 1);
			$e >= 0 or fail("$file: unterminated identifier");
			$pos = $e + 1;
		} elsif ($c eq '$' && substr($sql, $pos) =~ /^(\$[A-Za-z_]*\$)/) {
			my $tag = $1;
			my $e = index($sql, $tag, $pos + length $tag);
			$e >= 0 or fail("$file: unterminated $tag quote");
			$pos = $e + length $tag;
		} elsif ($c eq '\\' && ($pos == 0 || substr($sql, $pos - 1, 1) eq "\n")) {
			my $e = index($sql, "\n", $pos);
			$pos = $e < 0 ? $len : $e + 1;
			push @out, substr($sql, $start, $pos - $start);
			$start = $pos;
		} elsif ($c eq ';') {
			$pos++;
			$pos++ while $pos < $len && substr($sql, $pos, 1) =~ /[ \t]/;
			$pos++ if $pos < $len && substr($sql, $pos, 1) eq "\n";
			push @out, substr($sql, $start, $pos - $start);
			$start = $pos;
		} else {
			$pos++;
		}
	}
	substr($sql, $start) =~ /^\s*(--[^\n]*\n\s*)*$/ or fail("$file: text after the last statement");
	return @out;
}

# The statement's text without the comments and blank lines above it.
sub body {
	my ($s) = @_;
	$s =~ s/^(?:\s*--[^\n]*\n|\s*\n)*//;
	return $s;
}

my $NAME = qr/[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?/;

# The object a statement creates or speaks of, and how.
sub classify {
	my ($s) = @_;
	my $b = body($s);
	return ('named', 'STATEMENT', $1) if $s =~ /^\s*-- \(statement ([a-z][a-z0-9_]*)\)$/m;
	return ('create', 'OPERATOR', $1) if $b =~ /^CREATE\s+OPERATOR\s+(?!CLASS\b|FAMILY\b)(\S+?)\s*\(/is;
	return ('create', uc $2, $3, $1)
		if $b =~ /^CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|VIEW|AGGREGATE|TRIGGER|TABLE|TYPE|OPERATOR CLASS|OPERATOR FAMILY|INDEX|UNIQUE INDEX|CAST|PROCEDURE)\s+(?:IF NOT EXISTS\s+)?($NAME)/is;
	return ('comment', 'OPERATOR', $1) if $b =~ /^COMMENT\s+ON\s+OPERATOR\s+(?!CLASS\b|FAMILY\b)(\S+?)\s*\(/is;
	return ('comment', uc $1, $2) if $b =~ /^COMMENT\s+ON\s+(COLUMN|\w+(?:\s+CLASS|\s+FAMILY)?)\s+($NAME)/is;
	return ('config', 'TABLE', $1) if $b =~ /^SELECT\s+pg_catalog\.pg_extension_config_dump\('($NAME)'/is;
	return ('insert', 'TABLE', $1) if $b =~ /^INSERT\s+INTO\s+($NAME)/is;
	return ('grant', 'TABLE', $1) if $b =~ /^GRANT\s+.*?\sON\s+(?:TABLE\s+)?($NAME)\s+TO\s/is;
	return ('other', '', '');
}

sub replace_statements {
	my ($part) = @_;
	my $out = '';
	for my $s (statements(expand(slurp("$root/$part"), $part), $part)) {
		my ($how, $kind) = classify($s);
		if ($how eq 'create' && $kind =~ /^(FUNCTION|VIEW|AGGREGATE|TRIGGER|PROCEDURE)$/) {
			(my $t = $s) =~ s/^((?:\s*--[^\n]*\n|\s*\n)*\s*)CREATE\s+(?!OR\s+REPLACE)/$1CREATE OR REPLACE /is;
			$out .= $t;
		} elsif ($how eq 'comment') {
			$out .= $s;
		}
	}
	return $out;
}

sub object_statements {
	my ($part, $only, @names) = @_;
	my $out = '';
	my %found;
	for my $s (statements(expand(slurp("$root/$part"), $part), $part)) {
		my ($how, $kind, $name) = classify($s);
		next if $how eq 'other' || ($only && $how ne $only);
		for my $want (@names) {
			my $hit = $name eq $want
				|| ($how eq 'comment' && $kind eq 'COLUMN' && $name =~ /^\Q$want\E\.[a-z_0-9]+$/)
				|| ($how eq 'create' && $kind =~ /INDEX|TRIGGER/ && body($s) =~ /\sON\s+\Q$want\E[\s(]/);
			next unless $hit;
			$out .= $s;
			$found{$want} = 1;
			last;
		}
	}
	$found{$_} or fail("$part has no statement " . ($only // 'creating') . " $_") for @names;
	return $out;
}

sub build_upgrade {
	my ($file) = @_;
	my $out = '';
	my $n = 0;
	for my $line (split /^/, slurp($file)) {
		$n++;
		my $where = "$file:$n";
		if ($line =~ /^\s*--\s*\@replace\s+(\S+)\s*$/) {
			$out .= "-- from $1\n" . replace_statements($1);
		} elsif ($line =~ /^\s*--\s*\@objects\s+(\S+)\s+(.+?)\s*$/) {
			$out .= "-- from $1\n" . object_statements($1, undef, split ' ', $2);
		} elsif ($line =~ /^\s*--\s*\@rows\s+(\S+)\s+($NAME)\s*$/) {
			$out .= "-- from $1\n" . object_statements($1, 'insert', $2);
		} else {
			$out .= expand($line, $where);
		}
	}
	return $out;
}

# ---------------------------------------------------------------------------
# The C header
# ---------------------------------------------------------------------------

sub flags_header {
	my @flags = sort { $a->{bit} <=> $b->{bit} } of_kind('flag');
	my $h = "/* src/flags.h: generated by src/build.pl from src/catalogue.txt; do not edit. */\n"
		. "#ifndef KPI_FLAGS_H\n#define KPI_FLAGS_H\n\n";
	my $all = 0;
	for my $f (@flags) {
		$h .= sprintf("#define FLAG_%-12s 0x%02X\t/* %s */\n", uc $f->{code}, 1 << $f->{bit}, $f->{name_en});
		$all |= 1 << $f->{bit};
	}
	$h .= sprintf("#define FLAG_ALL          0x%02X\n", $all);
	$h .= "#define FLAG_COMBINATIONS (FLAG_ALL + 1)\n\n"
		. "/* a combination is valid when every flag in it has the flags it requires */\n"
		. "#define FLAG_VALID(f) ((f) <= FLAG_ALL";
	for my $f (@flags) {
		my @req = split ' ', $f->{requires} // '';
		next unless @req;
		$h .= sprintf(" && \\\n\t(!((f) & FLAG_%s) || ((f) & (%s)) == (%s))", uc $f->{code},
					  join(' | ', map { 'FLAG_' . uc } @req), join(' | ', map { 'FLAG_' . uc } @req));
	}
	$h .= ")\n\n#endif\n";
	return $h;
}

# ---------------------------------------------------------------------------

read_catalogue();
my ($mode, @args) = @ARGV;
$mode or fail('usage: build.pl install PART... | upgrade FILE | flags');
if ($mode eq 'install') {
	@args or fail('install: no parts given');
	print expand(slurp("$root/$_"), $_) for @args;
} elsif ($mode eq 'upgrade') {
	@args == 1 or fail('upgrade: one file');
	print build_upgrade($args[0]);
} elsif ($mode eq 'flags') {
	print flags_header();
} else {
	fail("unknown mode \"$mode\"");
}
