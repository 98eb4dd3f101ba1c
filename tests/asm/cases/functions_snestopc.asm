; expect: ok
org $008000
	dl snestopc($018000), pctosnes($8000)
hirom
org $C00100
	dl snestopc($C18000), pctosnes($18000)
