; expect: error Epulltable_without_table
org $008000
pulltable
