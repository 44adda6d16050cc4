/*
 * test/probe/kpi_probe.c: a test-only module (never installed) that hands
 * bytes to kpi.dossier_tally_deserialize as the executor would hand it a
 * parallel worker's partial state, so that a test can feed it crafted
 * states.  Built and loaded by test/t_tally_state.sh.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(kpi_probe_deserialize);
Datum
kpi_probe_deserialize(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {BYTEAOID, INTERNALOID};
	Oid			fn = LookupFuncName(list_make2(makeString("kpi"), makeString("dossier_tally_deserialize")),
									2, argtypes, false);
	FmgrInfo	flinfo;
	AggState   *agg = makeNode(AggState);
	LOCAL_FCINFO(fc, 2);

	fmgr_info(fn, &flinfo);
	agg->curaggcontext = CreateStandaloneExprContext();
	InitFunctionCallInfoData(*fc, &flinfo, 2, InvalidOid, (Node *) agg, NULL);
	fc->args[0].value = PG_GETARG_DATUM(0);
	fc->args[0].isnull = false;
	fc->args[1].value = PointerGetDatum(NULL);
	fc->args[1].isnull = false;
	(void) FunctionCallInvoke(fc);
	FreeExprContext(agg->curaggcontext, true);
	PG_RETURN_TEXT_P(cstring_to_text("accepted"));
}
