import { describeCrashSuite } from './crash-suite.js';
import { sqliteTarget } from './crash-target.js';

describeCrashSuite(sqliteTarget);
