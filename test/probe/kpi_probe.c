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

static Oid
engine_function(const char *name, int nargs, Oid *argtypes)
{
	return LookupFuncName(list_make2(makeString("kpi"), makeString(pstrdup(name))), nargs, argtypes, false);
}

/*
 * An aggregate support function of the engine called as the executor calls
 * it, in agg's context: (a0, a1), or (a0) when nargs is 1; *isnull its
 * result's.
 */
static Datum
agg_call(FmgrInfo *f, AggState *agg, int nargs, Datum a0, bool a0_null, Datum a1, bool *isnull)
{
	Datum		result;
	LOCAL_FCINFO(fc, 2);

	InitFunctionCallInfoData(*fc, f, nargs, InvalidOid, (Node *) agg, NULL);
	fc->args[0].value = a0;
	fc->args[0].isnull = a0_null;
	fc->args[1].value = a1;
	fc->args[1].isnull = false;
	result = FunctionCallInvoke(fc);
	*isnull = fc->isnull;
	return result;
}

PG_FUNCTION_INFO_V1(kpi_probe_deserialize);
Datum
kpi_probe_deserialize(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {BYTEAOID, INTERNALOID};
	FmgrInfo	deser;
	AggState   *agg = makeNode(AggState);
	bool		isnull;

	fmgr_info(engine_function("dossier_tally_deserialize", 2, argtypes), &deser);
	agg->curaggcontext = CreateStandaloneExprContext();
	(void) agg_call(&deser, agg, 2, PG_GETARG_DATUM(0), false, PointerGetDatum(NULL), &isnull);
	FreeExprContext(agg->curaggcontext, true);
	PG_RETURN_TEXT_P(cstring_to_text("accepted"));
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
	bool		isnull;
	Datum		result;

	fmgr_info(engine_function("dossier_tally_deserialize", 2, deser_args), &deser);
	fmgr_info(engine_function("dossier_tally_combine", 2, comb_args), &comb);
	fmgr_info(engine_function("dossier_tally_final", 1, final_args), &fin);
	agg->curaggcontext = CreateStandaloneExprContext();
	deconstruct_array(states, BYTEAOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		Datum		s = agg_call(&deser, agg, 2, elems[i], false, PointerGetDatum(NULL), &isnull);

		acc = agg_call(&comb, agg, 2, acc, acc_null, s, &acc_null);
	}
	result = agg_call(&fin, agg, 1, acc, acc_null, (Datum) 0, &isnull);
	FreeExprContext(agg->curaggcontext, true);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
