; expect: error Estruct_not_found
org $008000
	db sizeof(NoSuchStruct)
