; expect: error Eoverriding_builtin_define
!assembler = "other"
