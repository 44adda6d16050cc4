/*
 * test/probe/kpi_probe.c: a test-only module (never installed) that hands
 * bytes to kpi.dossier_tally_deserialize as the executor would hand it a
 * parallel worker's partial state, so that a test can feed it crafted
 * states; and that combines such states and returns the final function's
 * result, as the leader of a parallel plan would.  Built and loaded by
 * test/t_tally_state.sh.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/array.h"
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

static Oid
engine_function(const char *name, int nargs, Oid *argtypes)
{
	return LookupFuncName(list_make2(makeString("kpi"), makeString(pstrdup(name))), nargs, argtypes, false);
}

/* kpi_probe_final(bytea[]): the states deserialised, combined in order, and finalised. */
PG_FUNCTION_INFO_V1(kpi_probe_final);
Datum
kpi_probe_final(PG_FUNCTION_ARGS)
{
	ArrayType  *states = PG_GETARG_ARRAYTYPE_P(0);
	Oid			deser_args[2] = {BYTEAOID, INTERNALOID};
	Oid			comb_args[2] = {INTERNALOID, INTERNALOID};
	Oid			final_args[1] = {INTERNALOID};
	FmgrInfo	deser;
	FmgrInfo	comb;
	FmgrInfo	fin;
	AggState   *agg = makeNode(AggState);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	Datum		acc = (Datum) 0;
	bool		acc_null = true;
	Datum		result;
	LOCAL_FCINFO(fc, 2);

	fmgr_info(engine_function("dossier_tally_deserialize", 2, deser_args), &deser);
	fmgr_info(engine_function("dossier_tally_combine", 2, comb_args), &comb);
	fmgr_info(engine_function("dossier_tally_final", 1, final_args), &fin);
	agg->curaggcontext = CreateStandaloneExprContext();
	deconstruct_array(states, BYTEAOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		Datum		s;

		InitFunctionCallInfoData(*fc, &deser, 2, InvalidOid, (Node *) agg, NULL);
		fc->args[0].value = elems[i];
		fc->args[0].isnull = false;
		fc->args[1].value = PointerGetDatum(NULL);
		fc->args[1].isnull = false;
		s = FunctionCallInvoke(fc);

		InitFunctionCallInfoData(*fc, &comb, 2, InvalidOid, (Node *) agg, NULL);
		fc->args[0].value = acc;
		fc->args[0].isnull = acc_null;
		fc->args[1].value = s;
		fc->args[1].isnull = false;
		acc = FunctionCallInvoke(fc);
		acc_null = fc->isnull;
	}
	InitFunctionCallInfoData(*fc, &fin, 1, InvalidOid, (Node *) agg, NULL);
	fc->args[0].value = acc;
	fc->args[0].isnull = acc_null;
	result = FunctionCallInvoke(fc);
	FreeExprContext(agg->curaggcontext, true);
	PG_RETURN_DATUM(result);
}
