import type { Routes } from '@angular/router';
import { DashboardComponent } from './dashboard.component';
import { SearchComponent } from './search.component';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'search' },
  { path: 'search', component: SearchComponent, title: 'Search' },
  { path: 'dashboard', component: DashboardComponent, title: 'Dashboard' },
  { path: '**', redirectTo: 'search' },
];
